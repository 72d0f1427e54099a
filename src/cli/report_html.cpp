// The self-contained HTML report page (cli/report_html.hpp; docs/figures.md). Offline by
// construction: every script, style and datum is inline, and the page's Content-Security-Policy
// (W3C CSP Level 3) forbids loading anything else, so a forgotten URL fails loudly (and is reported
// in #crsguard-errors) instead of silently fetching. Embedding JSON and scripts inside <script>
// follows the HTML Standard §4.12.1.3 "Restrictions for contents of script elements".
#include "cli/report_html.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace crsguard {

namespace {

// Vega compiles expressions with new Function ('unsafe-eval'); vega-embed adds its own <style>; exports
// are data: / blob: URLs. Nothing may be fetched: no connect, font, frame or remote image source.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'";

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.subtitle { color: #555; margin-top: 0; }
.generated { color: #777; font-size: 0.85rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.55rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
figure { margin: 1.5rem 0; }
figcaption { font-size: 0.9rem; color: #444; margin-top: 0.4rem; }
.crsguard-save button { font-size: 0.8rem; margin-right: 0.4rem; }
@media print { .crsguard-save, .vega-embed details { display: none; } }
)css";

// Collects every error the page meets, before anything else runs, so that none is lost.
constexpr std::string_view kErrorCollector = R"js(
(function () {
  var box = document.getElementById('crsguard-errors');
  function record(text) {
    var item = document.createElement('li');
    item.textContent = String(text);
    box.appendChild(item);
  }
  window.crsguardRecordError = record;
  window.addEventListener('error', function (e) {
    record('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'unknown'));
  }, true);
  window.addEventListener('unhandledrejection', function (e) {
    var r = e.reason;
    record('unhandled rejection: ' + (r && r.message ? r.message : r));
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    record('blocked by the page policy: ' + e.blockedURI + ' (' + e.violatedDirective + ')');
  });
  var originalError = console.error;
  console.error = function () {
    record('console.error: ' + Array.prototype.map.call(arguments, String).join(' '));
    return originalError.apply(console, arguments);
  };
})();
)js";

// Renders every figure; counts those rendered into body.dataset.figuresRendered once all were tried.
constexpr std::string_view kRenderFigures = R"js(
(function () {
  function download(url, name) {
    var link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  function addButtons(figure, view) {
    var bar = figure.querySelector('.crsguard-save');
    var svg = document.createElement('button');
    svg.type = 'button';
    svg.textContent = 'Save SVG';
    svg.addEventListener('click', function () {
      view.toSVG().then(function (text) {
        download(URL.createObjectURL(new Blob([text], {type: 'image/svg+xml'})), figure.id + '.svg');
      }).catch(window.crsguardRecordError);
    });
    var png = document.createElement('button');
    png.type = 'button';
    png.textContent = 'Save PNG';
    png.addEventListener('click', function () {
      view.toImageURL('png', 2).then(function (url) { download(url, figure.id + '.png'); })
        .catch(window.crsguardRecordError);
    });
    bar.appendChild(svg);
    bar.appendChild(png);
  }
  var figures = Array.prototype.slice.call(document.querySelectorAll('figure[data-crsguard-figure]'));
  var options = {renderer: 'svg', actions: {export: true, source: true, compiled: true, editor: false}};
  Promise.allSettled(figures.map(function (figure) {
    var spec = JSON.parse(document.getElementById(figure.dataset.spec).textContent);
    return vegaEmbed(figure.querySelector('.crsguard-chart'), spec, options).then(function (result) {
      addButtons(figure, result.view);
      figure.dataset.rendered = 'true';
      return result;
    }, function (error) {
      window.crsguardRecordError('figure ' + figure.id + ': ' + (error && error.message ? error.message : error));
      throw error;
    });
  })).then(function (results) {
    document.body.dataset.figuresRendered =
        String(results.filter(function (r) { return r.status === 'fulfilled'; }).length);
  });
})();
)js";

bool valid_figure_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void validate(const ReportDocument& document) {
  std::set<std::string> ids;
  for (std::size_t s = 0; s < document.sections.size(); ++s) {
    const ReportSection& section = document.sections[s];
    for (std::size_t b = 0; b < section.blocks.size(); ++b) {
      const std::string where = fmt::format("report sections[{}].blocks[{}]", s, b);
      if (const auto* figure = std::get_if<ReportFigure>(&section.blocks[b])) {
        if (!valid_figure_id(figure->id)) {
          throw std::invalid_argument(where + " id: \"" + figure->id +
                                      "\" must be non-empty letters, digits, '-' or '_'");
        }
        if (!ids.insert(figure->id).second) throw std::invalid_argument(where + " id: \"" + figure->id + "\" is not unique");
        if (!figure->spec.is_object()) throw std::invalid_argument(where + " spec: a Vega-Lite specification must be an object");
      } else if (const auto* table = std::get_if<ReportTable>(&section.blocks[b])) {
        if (table->header.empty()) throw std::invalid_argument(where + " header: a table needs at least one column");
        for (std::size_t r = 0; r < table->rows.size(); ++r) {
          if (table->rows[r].size() != table->header.size()) {
            throw std::invalid_argument(fmt::format("{} rows[{}]: {} cells, but the header has {} columns", where, r,
                                                    table->rows[r].size(), table->header.size()));
          }
        }
      }
    }
  }
}

void append_script(std::string& out, std::string_view code) {
  out += "<script>";
  out += code;
  out += "</script>\n";
}

void append_block(std::string& out, const ReportBlock& block) {
  if (const auto* paragraph = std::get_if<ReportParagraph>(&block)) {
    out += "<p>" + escape_html(paragraph->text) + "</p>\n";
  } else if (const auto* table = std::get_if<ReportTable>(&block)) {
    out += "<table>\n";
    if (!table->caption.empty()) out += "<caption>" + escape_html(table->caption) + "</caption>\n";
    out += "<thead><tr>";
    for (const std::string& cell : table->header) out += "<th>" + escape_html(cell) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : table->rows) {
      out += "<tr>";
      for (const std::string& cell : row) out += "<td>" + escape_html(cell) + "</td>";
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  } else if (const auto* figure = std::get_if<ReportFigure>(&block)) {
    const std::string spec_id = "crsguard-spec-" + figure->id;
    out += "<figure id=\"" + figure->id + "\" data-crsguard-figure=\"\" data-spec=\"" + spec_id + "\">\n";
    out += "<div class=\"crsguard-chart\"></div>\n<div class=\"crsguard-save\"></div>\n";
    if (!figure->caption.empty()) out += "<figcaption>" + escape_html(figure->caption) + "</figcaption>\n";
    out += "<script type=\"application/json\" id=\"" + spec_id + "\">" + json_for_script(figure->spec) + "</script>\n";
    out += "</figure>\n";
  }
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& value) {
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // Outside strings JSON has none of these characters, so the escapes are always inside strings.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";  // line / paragraph separator
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string report_bundle_versions() { return std::string(report_bundles::versions()); }

std::string report_html(const ReportDocument& document) {
  validate(document);
  std::string out;
  out.reserve(report_bundles::vega_js().size() + report_bundles::vega_lite_js().size() +
              report_bundles::vega_embed_js().size() + 64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + escape_html(kContentSecurityPolicy) + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"crsguard (" + escape_html(report_bundles::versions()) + ")\">\n";
  out += "<title>" + escape_html(document.title) + "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  out += "<ul id=\"crsguard-errors\" hidden></ul>\n";
  append_script(out, kErrorCollector);
  out += "<header>\n<h1>" + escape_html(document.title) + "</h1>\n";
  if (!document.subtitle.empty()) out += "<p class=\"subtitle\">" + escape_html(document.subtitle) + "</p>\n";
  if (!document.generated.empty()) out += "<p class=\"generated\">" + escape_html(document.generated) + "</p>\n";
  out += "</header>\n<main>\n";
  for (const ReportSection& section : document.sections) {
    out += "<section>\n<h2>" + escape_html(section.heading) + "</h2>\n";
    for (const ReportBlock& block : section.blocks) append_block(out, block);
    out += "</section>\n";
  }
  out += "</main>\n";
  append_script(out, report_bundles::vega_js());
  append_script(out, report_bundles::vega_lite_js());
  append_script(out, report_bundles::vega_embed_js());
  append_script(out, kRenderFigures);
  out += "</body>\n</html>\n";
  return out;
}

nlohmann::json report_document_json(const ReportDocument& document) {
  nlohmann::json sections = nlohmann::json::array();
  for (const ReportSection& section : document.sections) {
    nlohmann::json blocks = nlohmann::json::array();
    for (const ReportBlock& block : section.blocks) {
      if (const auto* paragraph = std::get_if<ReportParagraph>(&block)) {
        blocks.push_back({{"type", "paragraph"}, {"text", paragraph->text}});
      } else if (const auto* table = std::get_if<ReportTable>(&block)) {
        blocks.push_back({{"type", "table"}, {"caption", table->caption}, {"header", table->header}, {"rows", table->rows}});
      } else if (const auto* figure = std::get_if<ReportFigure>(&block)) {
        blocks.push_back({{"type", "figure"}, {"id", figure->id}, {"caption", figure->caption}, {"spec", figure->spec}});
      }
    }
    sections.push_back({{"heading", section.heading}, {"blocks", std::move(blocks)}});
  }
  return {{"title", document.title}, {"subtitle", document.subtitle}, {"generated", document.generated},
          {"sections", std::move(sections)}};
}

}  // namespace crsguard
