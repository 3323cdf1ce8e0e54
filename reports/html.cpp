#include "reports/html.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <fmt/format.h>
#include <libxml/entities.h>
#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace mlesim {
namespace {

// Light, one column, tables scroll sideways on a narrow screen, figures
// shrink to its width and stand two abreast on a wide one.
constexpr std::string_view style = R"(
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1f2328; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 0.5rem 1rem 3rem; }
h1, h2, h3 { line-height: 1.25; margin: 1.6rem 0 0.8rem; }
h1 { font-size: 1.8rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.3rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid #eaecef; padding-bottom: 0.2rem; }
a { color: #0969da; }
nav { font-size: 0.9rem; margin-top: 0.8rem; }
table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; white-space: nowrap; }
td:nth-child(2):last-child { white-space: normal; min-width: 12rem; }
th { background: #f6f8fa; }
tr:nth-child(even) td { background: #fbfcfd; }
img { max-width: 100%; height: auto; vertical-align: top; margin: 0.25rem 0; }
p > img { width: min(640px, 100%); }
@media (min-width: 1000px) { p > img { width: min(640px, calc(50% - 0.3rem)); } }
blockquote { margin: 1rem 0; padding: 0.4rem 1rem; border-left: 4px solid #d0d7de; background: #f6f8fa; color: #3d444d; }
code { font-size: 0.9em; background: #eff1f3; padding: 0.1em 0.3em; border-radius: 4px; }
@media (max-width: 700px) { body { font-size: 15px; } main { padding: 0.25rem 0.6rem 2rem; } }
)";

struct xml_string_free {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using xml_string = std::unique_ptr<xmlChar, xml_string_free>;

std::string escaped_text(std::string_view text) {
  const std::string copy(text);
  const xml_string out(xmlEncodeSpecialChars(nullptr, reinterpret_cast<const xmlChar*>(copy.c_str())));
  if (!out) throw std::bad_alloc();
  return reinterpret_cast<const char*>(out.get());
}

// An SVG as a data: URI, percent-encoded by libxml2 (every byte but the
// URI's unreserved characters), so it sits in a double-quoted attribute.
std::string data_uri(const std::string& svg) {
  const xml_string out(xmlURIEscapeStr(reinterpret_cast<const xmlChar*>(svg.c_str()), nullptr));
  if (!out) throw std::bad_alloc();
  return std::string("data:image/svg+xml;charset=utf-8,") + reinterpret_cast<const char*>(out.get());
}

std::string render(std::string_view markdown) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  std::unique_ptr<cmark_parser, decltype(&cmark_parser_free)> parser(cmark_parser_new(CMARK_OPT_DEFAULT),
                                                                     &cmark_parser_free);
  if (cmark_syntax_extension* table = cmark_find_syntax_extension("table"))
    cmark_parser_attach_syntax_extension(parser.get(), table);
  else
    throw std::runtime_error("cmark-gfm has no table extension");
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, decltype(&cmark_node_free)> document(cmark_parser_finish(parser.get()),
                                                                   &cmark_node_free);
  char* html = cmark_render_html(document.get(), CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser.get()));
  std::string out(html);
  cmark_get_default_mem_allocator()->free(html);
  return out;
}

}  // namespace

std::string html_page(std::string_view title, std::string_view markdown,
                      const std::vector<std::pair<std::string, std::string>>& inline_images, std::string_view back) {
  std::string body = render(markdown);
  for (const auto& [file, svg] : inline_images) {
    const std::string link = fmt::format("src=\"{}\"", escaped_text(file));
    const std::string uri = fmt::format("src=\"{}\"", data_uri(svg));
    for (std::size_t at = body.find(link); at != std::string::npos; at = body.find(link, at + uri.size()))
      body.replace(at, link.size(), uri);
  }
  const std::string nav = back.empty() ? std::string()
                                       : fmt::format("<nav><a href=\"{}\">← every report in this folder</a></nav>\n",
                                                     escaped_text(back));
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n{}{}</main>\n"
      "</body>\n</html>\n",
      escaped_text(title), style, nav, body);
}

}  // namespace mlesim
