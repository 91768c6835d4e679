//===- PrecisionReport.cpp - the mixed-precision trade-off ----------------===//

#include "qopt/MixedPrecision/PrecisionReport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace qopt;

double PrecisionReport::sqnrDb(double noise) {
  return noise > 0 ? -10.0 * std::log10(noise)
                   : std::numeric_limits<double>::infinity();
}

double PrecisionReport::bitsPerWeight(const Assignment &a) const {
  int64_t weights = 0;
  for (int64_t n : weightCounts)
    weights += n;
  return weights ? 8.0 * a.bytes / weights : 0.0;
}

std::vector<size_t>
PrecisionReport::weightWidthOptions(const LayerOptions &layer) {
  std::vector<size_t> first;
  for (auto [i, option] : llvm::enumerate(layer.options))
    if (llvm::none_of(first, [&, &option = option](size_t j) {
          return layer.options[j].bits == option.bits;
        }))
      first.push_back(i);
  return first;
}

static std::string formatDb(double db) {
  return std::isinf(db) ? std::string("exact") : llvm::formatv("{0:f1}", db);
}

static std::string formatUs(double us) { return llvm::formatv("{0:f1}", us); }

static std::string percentOf(int64_t part, int64_t whole) {
  return llvm::formatv("{0:f1}%", whole ? 100.0 * part / whole : 0.0);
}

void qopt::writePrecisionTable(llvm::raw_ostream &os,
                               const PrecisionReport &r) {
  int64_t weights = 0;
  for (int64_t n : r.weightCounts)
    weights += n;
  os << "Mixed precision: " << r.layers.size() << " layers, " << weights
     << " weights; all-int8 " << r.int8Bytes << " bytes\n";
  os << "budget:";
  if (r.budget.bytes)
    os << " " << *r.budget.bytes << " bytes ("
       << percentOf(*r.budget.bytes, r.int8Bytes) << " of int8)";
  if (r.budget.latency)
    os << llvm::formatv(" {0:f1} us", *r.budget.latency);
  os << "\n";
  os << "chosen: " << r.chosen.bytes << " bytes ("
     << percentOf(r.chosen.bytes, r.int8Bytes) << " of int8, "
     << llvm::formatv("{0:f2}", r.bitsPerWeight(r.chosen))
     << " bits/weight), predicted output SQNR "
     << formatDb(PrecisionReport::sqnrDb(r.chosen.noise)) << " dB";
  if (r.hasLatency)
    os << llvm::formatv(", {0:f1} us", r.chosen.latency);
  os << "\n\n";

  size_t nameWidth = 5, kindWidth = 2;
  for (auto [l, layer] : llvm::enumerate(r.layers)) {
    nameWidth = std::max(nameWidth, layer.name.size());
    kindWidth = std::max(kindWidth, r.kinds[l].size());
  }
  bool withActivations = !r.activations.empty();
  os << llvm::left_justify("layer", nameWidth) << "  "
     << llvm::left_justify("op", kindWidth) << "  "
     << llvm::right_justify("weights", 9) << "  output SQNR dB by width"
     << "    width     bytes" << (withActivations ? "  input" : "")
     << (r.hasLatency ? "        us  us by width" : "") << "\n";
  for (auto [l, layer] : llvm::enumerate(r.layers)) {
    std::string bywidth;
    for (size_t i : PrecisionReport::weightWidthOptions(layer))
      bywidth += (bywidth.empty() ? "" : "  ") +
                 std::to_string(layer.options[i].bits) + ": " +
                 formatDb(PrecisionReport::sqnrDb(layer.options[i].noise));
    const WidthOption &chosen = layer.options[r.chosen.choice[l]];
    os << llvm::left_justify(layer.name, nameWidth) << "  "
       << llvm::left_justify(r.kinds[l], kindWidth) << "  "
       << llvm::right_justify(std::to_string(r.weightCounts[l]), 9) << "  "
       << llvm::left_justify(bywidth, 24) << "  "
       << llvm::right_justify(std::to_string(chosen.bits), 5) << "  "
       << llvm::right_justify(std::to_string(chosen.bytes), 8);
    if (withActivations)
      os << "  "
         << llvm::right_justify(chosen.activationBits
                                    ? std::to_string(chosen.activationBits)
                                    : std::string("-"),
                                5);
    if (r.hasLatency) {
      os << "  " << llvm::right_justify(formatUs(chosen.latency), 8) << "  ";
      for (auto [i, option] : llvm::enumerate(layer.options)) {
        os << (i ? "  " : "") << option.bits;
        if (option.activationBits)
          os << "/a" << option.activationBits;
        os << ": " << formatUs(option.latency);
      }
    }
    os << "\n";
  }

  if (withActivations) {
    size_t activationWidth = 10;
    for (const ActivationGroup &g : r.activations)
      activationWidth = std::max(activationWidth, g.name.size());
    os << "\n"
       << llvm::left_justify("activation", activationWidth)
       << "  read by  output SQNR dB by width  width\n";
    for (const ActivationGroup &g : r.activations) {
      std::string bywidth;
      for (auto [bits, noise] : llvm::zip(g.bits, g.noise))
        bywidth += (bywidth.empty() ? "" : "  ") + std::to_string(bits) + ": " +
                   formatDb(PrecisionReport::sqnrDb(noise));
      const LayerOptions &reader = r.layers[g.layers.front()];
      unsigned chosen =
          reader.options[r.chosen.choice[g.layers.front()]].activationBits;
      os << llvm::left_justify(g.name, activationWidth) << "  "
         << llvm::right_justify(std::to_string(g.layers.size()), 7) << "  "
         << llvm::left_justify(bywidth, 23) << "  "
         << llvm::right_justify(std::to_string(chosen), 5) << "\n";
    }
  }

  // The front can have hundreds of points: show at most 40, evenly spread,
  // always with both ends and the chosen one.
  os << "\nPareto front (" << r.front.size()
     << " points; * = chosen):\n      bytes  % of int8  bits/weight  "
        "predicted SQNR dB"
     << (r.hasLatency ? "  latency us" : "") << "\n";
  size_t shown = std::min<size_t>(r.front.size(), 40);
  std::vector<size_t> rows;
  for (size_t i = 0; i < shown; ++i)
    rows.push_back(shown == 1 ? 0 : i * (r.front.size() - 1) / (shown - 1));
  for (size_t i = 0; i < r.front.size(); ++i)
    if (r.front[i].choice == r.chosen.choice)
      rows.push_back(i);
  llvm::sort(rows);
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  for (size_t i : rows) {
    const Assignment &p = r.front[i];
    bool isChosen = p.choice == r.chosen.choice;
    os << (isChosen ? " * " : "   ")
       << llvm::right_justify(std::to_string(p.bytes), 8) << "  "
       << llvm::right_justify(percentOf(p.bytes, r.int8Bytes), 9) << "  "
       << llvm::right_justify(llvm::formatv("{0:f2}", r.bitsPerWeight(p)).str(),
                              11)
       << "  "
       << llvm::right_justify(formatDb(PrecisionReport::sqnrDb(p.noise)), 17);
    if (r.hasLatency)
      os << "  " << llvm::right_justify(formatUs(p.latency), 10);
    os << "\n";
  }
}

namespace {
std::string xmlEscape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// A finite dB value for plotting (exact outputs are drawn at the top).
double plotDb(double noise, double top) {
  return std::min(PrecisionReport::sqnrDb(noise), top);
}
} // namespace

void qopt::writePrecisionSvg(llvm::raw_ostream &os, const PrecisionReport &r) {
  // Two panels: per-layer SQNR by width (left), the front (right).
  const double panelW = 520, panelH = 300, margin = 60, gap = 90;
  const double width = 2 * panelW + gap + 2 * margin, height = panelH + 150;
  double top = 0;
  for (const LayerOptions &l : r.layers)
    for (const WidthOption &o : l.options)
      if (o.noise > 0)
        top = std::max(top, PrecisionReport::sqnrDb(o.noise));
  for (const Assignment &a : r.front)
    if (a.noise > 0)
      top = std::max(top, PrecisionReport::sqnrDb(a.noise));
  top = std::ceil((top + 5) / 10) * 10;
  double bottom = 0;
  for (const LayerOptions &l : r.layers)
    for (const WidthOption &o : l.options)
      bottom = std::min(bottom, plotDb(o.noise, top));
  bottom = std::floor(bottom / 10) * 10;
  auto y = [&](double db) {
    return margin + panelH * (top - db) / (top - bottom);
  };

  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" font-family=\"sans-serif\" "
                      "font-size=\"11\">\n",
                      width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  auto axes = [&](double x0, const std::string &title,
                  const std::string &xLabel) {
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" font-size=\"13\" "
                        "font-weight=\"bold\">{2}</text>\n",
                        x0, margin - 20, xmlEscape(title));
    os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
                        "stroke=\"black\"/>\n",
                        x0, margin, margin + panelH);
    os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                        "stroke=\"black\"/>\n",
                        x0, margin + panelH, x0 + panelW);
    for (double db = bottom; db <= top; db += 10)
      os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                          "stroke=\"#ddd\"/><text x=\"{3}\" y=\"{4}\" "
                          "text-anchor=\"end\">{5:f0}</text>\n",
                          x0, y(db), x0 + panelW, x0 - 4, y(db) + 4, db);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" "
                        "transform=\"rotate(-90 {0} {1})\">output SQNR "
                        "(dB)</text>\n",
                        x0 - 40, margin + panelH / 2);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" "
                        "text-anchor=\"middle\">{2}</text>\n",
                        x0 + panelW / 2, height - 12, xmlEscape(xLabel));
  };

  // Left: one group of bars per layer, one bar per width; the chosen
  // width's bar is dark.
  double x0 = margin;
  axes(x0, "Sensitivity per layer (only that layer quantized)",
       "layer (dark bar: chosen width)");
  double group = panelW / std::max<size_t>(r.layers.size(), 1);
  if (!r.layers.empty()) {
    std::string widths;
    for (size_t i : PrecisionReport::weightWidthOptions(r.layers.front()))
      widths += (widths.empty() ? "" : ", ") +
                std::to_string(r.layers.front().options[i].bits);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" fill=\"#444\">bars per "
                        "layer, left to right: {2} bits</text>\n",
                        x0, margin - 6, widths);
  }
  for (auto [l, layer] : llvm::enumerate(r.layers)) {
    std::vector<size_t> bars = PrecisionReport::weightWidthOptions(layer);
    double bar = group * 0.8 / bars.size();
    for (auto [i, option] : llvm::enumerate(bars)) {
      const WidthOption &o = layer.options[option];
      double db = plotDb(o.noise, top);
      double x = x0 + l * group + group * 0.1 + i * bar;
      bool chosen = layer.options[r.chosen.choice[l]].bits == o.bits;
      os << llvm::formatv(
          "<rect x=\"{0:f1}\" y=\"{1:f1}\" width=\"{2:f1}\" height=\"{3:f1}\" "
          "fill=\"{4}\"><title>{5}: {6} bits, {7} dB</title></rect>\n",
          x, std::min(y(db), y(0)), std::max(bar - 1, 1.0),
          std::abs(y(0) - y(db)), chosen ? "#1f4e9c" : "#a9c4ec",
          xmlEscape(layer.name), o.bits,
          formatDb(PrecisionReport::sqnrDb(o.noise)));
      if (bar >= 9)
        os << llvm::formatv(
            "<text x=\"{0:f1}\" y=\"{1:f1}\" "
            "text-anchor=\"middle\" font-size=\"8\">{2}</text>\n",
            x + bar / 2, std::min(y(db), y(0)) - 2, o.bits);
    }
    os << llvm::formatv(
        "<text x=\"{0:f1}\" y=\"{1:f1}\" text-anchor=\"end\" "
        "font-size=\"9\" transform=\"rotate(-60 {0:f1} "
        "{1:f1})\">{2}</text>\n",
        x0 + (l + 0.5) * group, margin + panelH + 12,
        xmlEscape(layer.name.size() > 24
                      ? "..." + layer.name.substr(layer.name.size() - 21)
                      : layer.name));
  }

  // Right: the Pareto front, weight bytes against predicted SQNR.
  x0 = margin + panelW + gap;
  axes(x0, "Pareto front: weight bytes vs predicted output SQNR",
       "stored weight bytes (% of all-int8)");
  int64_t minBytes = r.front.empty() ? 0 : r.front.front().bytes;
  int64_t maxBytes = std::max(r.int8Bytes, minBytes + 1);
  auto x = [&](int64_t bytes) {
    return x0 + panelW * double(bytes - minBytes) / double(maxBytes - minBytes);
  };
  for (int i = 0; i <= 4; ++i) {
    int64_t b = minBytes + (maxBytes - minBytes) * i / 4;
    os << llvm::formatv("<text x=\"{0:f1}\" y=\"{1}\" "
                        "text-anchor=\"middle\">{2} ({3})</text>\n",
                        x(b), margin + panelH + 16, b,
                        percentOf(b, r.int8Bytes));
  }
  std::string path;
  for (const Assignment &a : r.front)
    path += llvm::formatv("{0}{1:f1},{2:f1} ", path.empty() ? "M" : "L",
                          x(a.bytes), y(plotDb(a.noise, top)));
  os << "<path d=\"" << path
     << "\" fill=\"none\" stroke=\"#1f4e9c\" stroke-width=\"1.5\"/>\n";
  for (const Assignment &a : r.front)
    os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"2\" "
                        "fill=\"#1f4e9c\"/>\n",
                        x(a.bytes), y(plotDb(a.noise, top)));
  if (r.budget.bytes)
    os << llvm::formatv(
        "<line x1=\"{0:f1}\" y1=\"{1}\" x2=\"{0:f1}\" "
        "y2=\"{2}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
        "<text x=\"{3:f1}\" y=\"{4}\" fill=\"#666\">budget</"
        "text>\n",
        x(std::min(*r.budget.bytes, maxBytes)), margin, margin + panelH,
        x(std::min(*r.budget.bytes, maxBytes)) + 3, margin + 12);
  double cx = x(r.chosen.bytes), cy = y(plotDb(r.chosen.noise, top));
  os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"5\" "
                      "fill=\"#d62728\"/><text x=\"{2:f1}\" y=\"{3:f1}\" "
                      "fill=\"#d62728\">chosen: {4} bytes, {5} dB</text>\n",
                      cx, cy, cx + 8, cy + 14, r.chosen.bytes,
                      formatDb(PrecisionReport::sqnrDb(r.chosen.noise)));
  os << "</svg>\n";
}
