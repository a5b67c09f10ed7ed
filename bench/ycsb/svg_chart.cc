// The SVG throughput chart (svg_chart.h).
#include "bench/ycsb/svg_chart.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <vector>

#include "bench/ycsb/rounds.h"

namespace docdb::ycsb {
namespace {

constexpr int kWidth = 960;
constexpr int kPanelHeight = 240;
constexpr int kLegendHeight = 40;
constexpr int kPlotLeft = 80;
constexpr int kPlotTop = 30;  // within a panel, below its title
constexpr int kPlotHeight = 170;
constexpr int kPlotWidth = kWidth - kPlotLeft - 20;
constexpr const char* kColours[] = {"#1f77b4", "#aec7e8", "#ff7f0e", "#2ca02c",
                                    "#d62728", "#9467bd", "#8c564b", "#e377c2"};

std::string Printf(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), format, a, b, c, d);
  return buf;
}

const char* ColourOf(const BenchConfig& config, const std::string& engine) {
  const auto it = std::find(config.engines.begin(), config.engines.end(), engine);
  const auto index = static_cast<size_t>(it - config.engines.begin());
  return kColours[index % std::size(kColours)];
}

// The median ops/s of one bar; 0 when it did not run.
double OpsOf(const std::vector<RoundSummary>& summaries, const std::string& workload,
             DurabilityMode durability, int threads, const std::string& engine) {
  for (const RoundSummary& s : summaries) {
    if (s.workload == workload && s.durability == durability && s.threads == threads &&
        s.engine == engine) {
      return s.ops_per_s;
    }
  }
  return 0;
}

std::string Legend(const BenchConfig& config) {
  std::string svg;
  int x = kPlotLeft;
  for (const std::string& engine : config.engines) {
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"14\" width=\"14\" height=\"14\" fill=\"" +
           ColourOf(config, engine) + "\"/>";
    svg += "<text x=\"" + std::to_string(x + 18) + "\" y=\"26\">" + engine + "</text>";
    x += 30 + static_cast<int>(engine.size()) * 8;
  }
  return svg;
}

// Horizontal grid lines with ops/s labels at quarters of the panel's maximum.
std::string Axis(int top, double max_ops) {
  std::string svg;
  for (int i = 0; i <= 4; ++i) {
    const double y = top + kPlotTop + kPlotHeight - kPlotHeight * i / 4.0;
    svg += Printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>",
                  kPlotLeft, y, kPlotLeft + kPlotWidth, y);
    svg += Printf("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>", kPlotLeft - 6,
                  y + 4, max_ops * i / 4.0);
  }
  return svg;
}

std::string Panel(const BenchConfig& config, const std::vector<RoundSummary>& summaries,
                  const std::string& workload, DurabilityMode durability, int top) {
  double max_ops = 1;
  for (const int threads : config.threads) {
    for (const std::string& engine : config.engines) {
      max_ops = std::max(max_ops, OpsOf(summaries, workload, durability, threads, engine));
    }
  }
  const std::string unit =
      config.rounds > 1 ? "median ops/s of " + std::to_string(config.rounds) + " rounds" : "ops/s";
  std::string svg = "<text x=\"10\" y=\"" + std::to_string(top + 18) + "\" font-weight=\"bold\">" +
                    workload + ", " + std::string(DurabilityModeName(durability)) + " (" + unit +
                    ")</text>";
  svg += Axis(top, max_ops);
  const double group_width =
      static_cast<double>(kPlotWidth) / static_cast<double>(config.threads.size());
  const double bar_width = group_width * 0.8 / static_cast<double>(config.engines.size());
  const double base = top + kPlotTop + kPlotHeight;
  for (size_t g = 0; g < config.threads.size(); ++g) {
    const double group_x = kPlotLeft + group_width * static_cast<double>(g) + group_width * 0.1;
    for (size_t e = 0; e < config.engines.size(); ++e) {
      const double ops =
          OpsOf(summaries, workload, durability, config.threads[g], config.engines[e]);
      const double height = kPlotHeight * ops / max_ops;
      svg += Printf("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" ",
                    group_x + bar_width * static_cast<double>(e), base - height, bar_width, height);
      svg += std::string("fill=\"") + ColourOf(config, config.engines[e]) + "\"><title>" +
             config.engines[e] + Printf(": %.0f ops/s</title></rect>", ops);
    }
    svg += Printf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f thread(s)</text>",
                  group_x + group_width * 0.4, base + 16, config.threads[g]);
  }
  return svg;
}

}  // namespace

std::string RenderSvgChart(const BenchConfig& config, const BenchReport& report) {
  std::vector<std::string> workloads = {"load"};
  for (const WorkloadSpec& spec : config.workloads) workloads.push_back(spec.name);
  const auto panels = static_cast<int>(workloads.size() * config.durabilities.size());
  const int height = kLegendHeight + panels * kPanelHeight;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + Legend(config) + "\n";
  const std::vector<RoundSummary> summaries = SummariseRounds(report.rows);
  int top = kLegendHeight;
  for (const std::string& workload : workloads) {
    for (const DurabilityMode durability : config.durabilities) {
      svg += Panel(config, summaries, workload, durability, top) + "\n";
      top += kPanelHeight;
    }
  }
  return svg + "</svg>\n";
}

Status WriteSvgChart(const BenchConfig& config, const BenchReport& report,
                     const std::string& path) {
  std::ofstream file(path);
  file << RenderSvgChart(config, report);
  file.close();
  if (!file) return Status::IoError("cannot write " + path);
  return Status::OK();
}

}  // namespace docdb::ycsb
