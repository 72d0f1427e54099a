#include "server/web_assets.hpp"

#include "cli/report_html.hpp"

namespace crsguard {

std::optional<WebAsset> find_web_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  constexpr std::string_view kScript = "text/javascript; charset=utf-8";
  if (path == "/assets/vega.min.js") return WebAsset{path, kScript, report_bundles::vega_js()};
  if (path == "/assets/vega-lite.min.js") return WebAsset{path, kScript, report_bundles::vega_lite_js()};
  if (path == "/assets/vega-embed.min.js") return WebAsset{path, kScript, report_bundles::vega_embed_js()};
  for (const WebAsset& asset : built_web_assets()) {
    if (asset.path == path) return asset;
  }
  return std::nullopt;
}

}  // namespace crsguard
