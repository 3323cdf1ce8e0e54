// Reports are written whole or not at all: to a temporary file beside the
// target, then renamed over it.
#pragma once

#include <filesystem>
#include <string_view>

namespace mlesim {

// Throws std::runtime_error naming the path on any failure, leaving no file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace mlesim
