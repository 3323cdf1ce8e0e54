#include "reports/junit.hpp"

#include "sim/experiment.hpp"

#include <doctest/doctest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include <memory>
#include <string>

using namespace mlesim;

namespace {

// An estimand and a config path with every character XML must escape.
const std::string awkward = "mu<&\"x'>";
const std::string awkward_config = "dir<&\">/a.toml";

check_test test_at(std::uint64_t n, double figure, double se, double target, double margin, double p, double holm,
                   bool rejected) {
  check_test test;
  test.n = n;
  test.figure = figure;
  test.se = se;
  test.target = target;
  test.margin = margin;
  test.statistic = 1.0;
  test.p_value = p;
  test.holm_p = holm;
  test.rejected = rejected;
  return test;
}

check_verdict verdict_of(std::string property, std::string estimand, bool expect_pass, std::vector<check_test> tests,
                         std::string location = "") {
  check_verdict verdict;
  verdict.check.property = std::move(property);
  verdict.check.estimand = std::move(estimand);
  verdict.check.expect_pass = expect_pass;
  verdict.check.location = std::move(location);
  verdict.tests = std::move(tests);
  verdict.property_holds = verdict.passed = false;
  return verdict;
}

check_spec check_of(std::string property, std::string estimand, bool expect_pass) {
  check_spec check;
  check.property = std::move(property);
  check.estimand = std::move(estimand);
  check.expect_pass = expect_pass;
  return check;
}

// Five tests, three failing: a rejected bias, an expected-to-fail coverage
// that holds at n = 400, and a consistency check with no figure.
verification three_failures() {
  verification v;
  v.false_failure_rate = 0.01;
  v.statistical_tests = 4;
  v.all_passed = false;
  check_test absent;
  absent.rejected = absent.absent = true;
  absent.note = "needs two sample sizes with a positive MSE\x01";
  v.verdicts = {verdict_of("bias", awkward, true,
                           {test_at(100, 0.0123, 0.0004, 0, 0.001, 1e-10, 3e-10, true),
                            test_at(400, 0.0001, 0.0002, 0, 0.001, 0.6, 0.6, false)},
                           awkward_config + ":7:1"),
                verdict_of("coverage", "sigma2", false,
                           {test_at(100, 0.90, 0.005, 0.95, 0, 1e-20, 4e-20, true),
                            test_at(400, 0.948, 0.005, 0.95, 0, 0.7, 0.7, false)}),
                verdict_of("consistency", "mu", true, {absent})};
  return v;
}

struct xml_document {
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc;
  explicit xml_document(const std::string& text)
      : doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), "junit.xml", nullptr, XML_PARSE_NONET),
            xmlFreeDoc) {}

  // Against the schema the repository ships.
  bool valid() const {
    std::unique_ptr<xmlSchemaParserCtxt, void (*)(xmlSchemaParserCtxtPtr)> parser(
        xmlSchemaNewParserCtxt(MLESIM_SOURCE_ROOT "/reports/junit.xsd"), xmlSchemaFreeParserCtxt);
    std::unique_ptr<xmlSchema, void (*)(xmlSchemaPtr)> schema(xmlSchemaParse(parser.get()), xmlSchemaFree);
    REQUIRE(schema);
    std::unique_ptr<xmlSchemaValidCtxt, void (*)(xmlSchemaValidCtxtPtr)> context(xmlSchemaNewValidCtxt(schema.get()),
                                                                               xmlSchemaFreeValidCtxt);
    return xmlSchemaValidateDoc(context.get(), doc.get()) == 0;
  }

  std::string string(const char* xpath) const {
    std::unique_ptr<xmlXPathContext, void (*)(xmlXPathContextPtr)> context(xmlXPathNewContext(doc.get()),
                                                                           xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObjectPtr)> result(
        xmlXPathEvalExpression(BAD_CAST xpath, context.get()), xmlXPathFreeObject);
    REQUIRE(result);
    std::unique_ptr<xmlChar, void (*)(void*)> text(xmlXPathCastToString(result.get()), xmlFree);
    return reinterpret_cast<const char*>(text.get());
  }
};

}  // namespace

TEST_CASE("junit: one suite per experiment, a case per check and size, counts right, valid against the XSD") {
  const verified_experiment experiments[] = {{"first", awkward_config, 1, 2000, three_failures()},
                                             {"second", "b.toml", 2, 500, verification{}}};
  const std::string text = junit_xml(experiments);
  const xml_document xml(text);
  REQUIRE(xml.doc);
  CHECK(xml.valid());
  CHECK(xml.string("count(/testsuites/testsuite)") == "2");
  CHECK(xml.string("/testsuites/@tests") == "5");
  CHECK(xml.string("/testsuites/@failures") == "3");
  CHECK(xml.string("count(//failure)") == "3");
  CHECK(xml.string("/testsuites/testsuite[1]/@tests") == "5");
  CHECK(xml.string("/testsuites/testsuite[1]/@failures") == "3");
  CHECK(xml.string("/testsuites/testsuite[2]/@tests") == "0");
  CHECK(xml.string("/testsuites/testsuite[1]/properties/property[@name='replications']/@value") == "2000");
  CHECK(xml.string("//testcase[1]/@classname") == "first");
  CHECK(xml.string("//testcase[1]/@name") == "check 1: bias of mu<&\"x'>, n = 100");
  CHECK(xml.string("//testcase[4]/@name") == "check 2: coverage of sigma2, n = 400 (expected to fail)");
  CHECK(xml.string("//testcase[5]/@name") == "check 3: consistency of mu, all n");
  CHECK(xml.string("count(//testcase[2]/failure)") == "0");
  CHECK(xml.string("count(//testcase[3]/failure)") == "0");
}

TEST_CASE("junit: a failure gives the figure ± MCSE, target, margin, p and Holm p; an absent figure says why") {
  const verified_experiment experiments[] = {{"first", awkward_config, 1, 2000, three_failures()}};
  const xml_document xml(junit_xml(experiments));
  REQUIRE(xml.doc);
  CHECK(xml.string("//testcase[1]/failure/@message") ==
        "bias of mu<&\"x'>, n = 100: 0.01230 ± 0.00040, target 0, margin 0.001; p = 1e-10, Holm p = 3e-10 ≤ 0.01: "
        "the property does not hold");
  CHECK(xml.string("//testcase[4]/failure/@message") ==
        "coverage of sigma2, n = 400: 0.9480 ± 0.0050, target 0.95, margin 0; p = 0.7, Holm p = 0.7 > 0.01: "
        "expected to fail, but the property holds");
  // The note's control character cannot be in XML 1.0: it becomes U+FFFD.
  CHECK(xml.string("//testcase[5]/failure/@message") ==
        "consistency of mu, all n: no figure to judge (needs two sample sizes with a positive MSE\xEF\xBF\xBD)");
  CHECK(xml.string("//testcase[5]/failure/@type") == "no figure");
  // The text holds the exact numbers and where the check is.
  const std::string details = xml.string("//testcase[1]/failure");
  CHECK(details.find(awkward_config + ":7:1: bias of " + awkward) == 0);
  CHECK(details.find("figure = 0.0123\nse = 0.0004\n") != std::string::npos);
}

TEST_CASE("junit: escaped in the bytes, not only read back right") {
  const verified_experiment experiments[] = {{"first", awkward_config, 1, 2000, three_failures()}};
  const std::string text = junit_xml(experiments);
  CHECK(text.find("mu&lt;&amp;&quot;x'&gt;") != std::string::npos);
  CHECK(text.find(awkward) == std::string::npos);
  CHECK(text.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0) == 0);
}

TEST_CASE("junit: a real verification has failures exactly when a check fails") {
  // sigma2's MLE has bias -sigma2/n = -0.1 at n = 10: a bias check of it
  // fails, one of mu holds (false-failure rate 1e-6 with seed 1).
  const experiment_result result = simulate({.name = "junit-test", .family = "normal", .theta = {0, 1},
                                             .estimands = {"mu", "sigma2"}, .seed = 1, .replications = 2000,
                                             .sample_sizes = {10, 20}});
  for (const bool expect_pass : {true, false}) {
    const std::vector<check_spec> checks{check_of("bias", "mu", true), check_of("bias", "sigma2", expect_pass)};
    const verification v = verify(result, checks, 1e-6);
    CHECK(v.all_passed == !expect_pass);
    const verified_experiment experiments[] = {{"junit-test", "x.toml", 1, 2000, v}};
    const xml_document xml(junit_xml(experiments));
    REQUIRE(xml.doc);
    CHECK(xml.valid());
    CHECK(xml.string("/testsuites/@tests") == "4");
    CHECK(xml.string("/testsuites/@failures") == (expect_pass ? "2" : "0"));
  }
}
