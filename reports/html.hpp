// HTML pages from the reports' Markdown, rendered by cmark-gfm (GitHub's
// CommonMark, with its tables), in one light style that reads on a phone.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

// A whole HTML page: `markdown` rendered (raw HTML in it is dropped, as
// cmark-gfm's safe mode does), under `title`. Each image whose link is one
// of `inline_images`' file names gets that SVG as a data: URI instead, so the
// page stands alone; other links are left as they are. `back`, where given,
// is a link (relative URL) shown above the content as the way back.
std::string html_page(std::string_view title, std::string_view markdown,
                      const std::vector<std::pair<std::string, std::string>>& inline_images = {},
                      std::string_view back = {});

}  // namespace mlesim
