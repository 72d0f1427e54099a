#pragma once
// The dashboard's files as `crsguard serve` serves them: the Vite build of web/ (compiled in by
// src/server/web_assets.cmake) and the Vega, Vega-Lite and vega-embed builds the report page inlines
// (served at /assets/vega*.min.js, so that the dashboard and the report draw with the same code).
#include <optional>
#include <span>
#include <string_view>

namespace crsguard {

struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// The Vite build; defined in the generated web_assets_built.cpp.
std::span<const WebAsset> built_web_assets();

// The file served at `path` ("/" is the page); nullopt for anything else.
std::optional<WebAsset> find_web_asset(std::string_view path);

// What the page may load: only its own files and the API, nothing from anywhere else. Vega compiles
// its expressions with Function(), hence 'unsafe-eval'; vega-embed adds its own <style>.
inline constexpr std::string_view kDashboardContentSecurityPolicy =
    "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace crsguard
