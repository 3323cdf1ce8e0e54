#include "reports/junit.hpp"

#include "reports/format.hpp"

#include <fmt/format.h>
#include <libxml/xmlwriter.h>

#include <memory>
#include <stdexcept>

namespace mlesim {
namespace {

// XML 1.0 cannot carry C0 controls other than tab, newline and carriage
// return, not even escaped; a config path or note holding one gets U+FFFD.
std::string xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "\xEF\xBF\xBD";
    else out += c;
  }
  return out;
}

// libxml2's writer does the escaping (&, <, >, quotes, newlines in
// attributes); this wraps its C calls, whose only failure is out of memory.
class xml_writer {
 public:
  xml_writer() : buffer_(xmlBufferCreate(), xmlBufferFree) {
    if (!buffer_) throw std::bad_alloc();
    writer_.reset(xmlNewTextWriterMemory(buffer_.get(), 0));
    if (!writer_) throw std::bad_alloc();
    xmlTextWriterSetIndent(writer_.get(), 1);
    xmlTextWriterSetIndentString(writer_.get(), BAD_CAST "  ");
    ok(xmlTextWriterStartDocument(writer_.get(), nullptr, "UTF-8", nullptr));
  }

  void start(const char* element) { ok(xmlTextWriterStartElement(writer_.get(), BAD_CAST element)); }
  void end() { ok(xmlTextWriterEndElement(writer_.get())); }
  void attribute(const char* name, std::string_view value) {
    ok(xmlTextWriterWriteAttribute(writer_.get(), BAD_CAST name, BAD_CAST xml_text(value).c_str()));
  }
  void attribute(const char* name, std::uint64_t value) { attribute(name, fmt::format("{}", value)); }
  void text(std::string_view value) { ok(xmlTextWriterWriteString(writer_.get(), BAD_CAST xml_text(value).c_str())); }

  std::string finish() {
    ok(xmlTextWriterEndDocument(writer_.get()));
    writer_.reset();  // flushes into the buffer
    return {reinterpret_cast<const char*>(xmlBufferContent(buffer_.get())),
            static_cast<std::size_t>(xmlBufferLength(buffer_.get()))};
  }

 private:
  static void ok(int rc) {
    if (rc < 0) throw std::runtime_error("junit_xml: libxml2's writer failed (out of memory?)");
  }
  struct free_writer {
    void operator()(xmlTextWriterPtr w) const { xmlFreeTextWriter(w); }
  };
  std::unique_ptr<xmlBuffer, void (*)(xmlBufferPtr)> buffer_;
  std::unique_ptr<xmlTextWriter, free_writer> writer_;
};

std::string sizes(const check_test& test) { return test.n ? fmt::format("n = {}", test.n) : "all n"; }

std::string case_name(std::size_t number, const check_verdict& verdict, const check_test& test) {
  return fmt::format("check {}: {} of {}, {}{}{}", number, verdict.check.property, verdict.check.estimand,
                     test.condition_label.empty() ? "" : fmt::format("condition {} ({}), ", test.condition + 1,
                                                                     test.condition_label),
                     sizes(test),
                     verdict.check.expect_pass ? "" : " (expected to fail)");
}

std::size_t failures(const verification& v) {
  std::size_t count = 0;
  for (const auto& verdict : v.verdicts)
    for (const auto& test : verdict.tests) count += test_failed(verdict, test);
  return count;
}

std::size_t tests(const verification& v) {
  std::size_t count = 0;
  for (const auto& verdict : v.verdicts) count += verdict.tests.size();
  return count;
}

// The failure's text: every number of the test exactly, for whoever reruns it.
std::string failure_details(const check_verdict& verdict, const check_test& test, const verification& v) {
  using format::exact;
  const auto& check = verdict.check;
  std::string out = fmt::format("{}: {} of {}, {}, expected to {}\n", check.location, check.property, check.estimand,
                                sizes(test), check.expect_pass ? "hold" : "fail");
  out += fmt::format("figure = {}\nse = {}\ntarget = {}\nmargin = {}\nstatistic = {}\np = {}\nholm_p = {}\n",
                     exact(test.figure), exact(test.se), exact(test.target), exact(test.margin), exact(test.statistic),
                     exact(test.p_value), exact(test.holm_p));
  out += fmt::format("rejected = {}\nabsent = {}\n", test.rejected, test.absent);
  if (!test.note.empty()) out += fmt::format("note = {}\n", test.note);
  out += fmt::format("Holm's procedure over the experiment's {} statistical tests, false-failure rate {}\n",
                     v.statistical_tests, v.false_failure_rate);
  return out;
}

}  // namespace

bool test_failed(const check_verdict& verdict, const check_test& test) {
  return test.absent || test.rejected == verdict.check.expect_pass;
}

std::string failure_message(const check_verdict& verdict, const check_test& test, double false_failure_rate) {
  const auto& check = verdict.check;
  const std::string what = fmt::format("{} of {}, {}", check.property, check.estimand, sizes(test));
  if (test.absent)
    return fmt::format("{}: no figure to judge{}", what, test.note.empty() ? "" : " (" + test.note + ")");
  std::string figure;
  if (check.property == "normality") figure = fmt::format("χ² statistic {}", format::brief(test.statistic, 4));
  else if (check.property == "invariance") figure = fmt::format("relative error {}", format::brief(test.figure, 3));
  else figure = format::with_mcse(test.figure, test.se);
  const std::string target = check.property == "normality" ? "N(0, 1)" : fmt::format("{:g}", test.target);
  const std::string p_values =
      test.p_value ? fmt::format("p = {}, Holm p = {} {} {}", format::brief(test.p_value, 3),
                                 format::brief(test.holm_p, 3), test.rejected ? "≤" : ">", false_failure_rate)
                   : "no p-value (a numeric comparison, outside Holm's family)";
  return fmt::format("{}: {}, target {}, margin {:g}; {}: {}{}", what, figure, target, test.margin, p_values,
                     check.expect_pass ? "the property does not hold" : "expected to fail, but the property holds",
                     test.note.empty() ? "" : " (" + test.note + ")");
}

std::string junit_xml(std::span<const verified_experiment> experiments) {
  std::size_t all_tests = 0, all_failures = 0;
  for (const auto& e : experiments) {
    all_tests += tests(e.verdicts);
    all_failures += failures(e.verdicts);
  }
  xml_writer xml;
  xml.start("testsuites");
  xml.attribute("name", "mlesim verify");
  xml.attribute("tests", all_tests);
  xml.attribute("failures", all_failures);
  xml.attribute("errors", std::uint64_t{0});
  for (const auto& e : experiments) {
    const verification& v = e.verdicts;
    xml.start("testsuite");
    xml.attribute("name", e.name);
    xml.attribute("tests", tests(v));
    xml.attribute("failures", failures(v));
    xml.attribute("errors", std::uint64_t{0});
    xml.attribute("skipped", std::uint64_t{0});
    xml.attribute("file", e.config);
    xml.start("properties");
    const std::pair<const char*, std::string> properties[] = {
        {"config", e.config},
        {"seed", fmt::format("{}", e.seed)},
        {"replications", fmt::format("{}", e.replications)},
        {"false_failure_rate", fmt::format("{}", v.false_failure_rate)},
        {"statistical_tests", fmt::format("{}", v.statistical_tests)},
    };
    for (const auto& [name, value] : properties) {
      xml.start("property");
      xml.attribute("name", name);
      xml.attribute("value", value);
      xml.end();
    }
    xml.end();
    for (std::size_t c = 0; c < v.verdicts.size(); ++c) {
      const auto& verdict = v.verdicts[c];
      for (const auto& test : verdict.tests) {
        xml.start("testcase");
        xml.attribute("name", case_name(c + 1, verdict, test));
        xml.attribute("classname", e.name);
        if (test_failed(verdict, test)) {
          xml.start("failure");
          xml.attribute("message", failure_message(verdict, test, v.false_failure_rate));
          xml.attribute("type", test.absent ? "no figure" : verdict.check.expect_pass ? "property fails"
                                                                                      : "property holds");
          xml.text(failure_details(verdict, test, v));
          xml.end();
        }
        xml.end();
      }
    }
    xml.end();
  }
  xml.end();
  std::string text = xml.finish();
  if (text.empty() || text.back() != '\n') text += '\n';  // a text file ends its last line
  return text;
}

}  // namespace mlesim
