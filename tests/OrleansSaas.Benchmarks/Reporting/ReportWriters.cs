using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSaas.Benchmarks.Reporting;

public static class ReportWriters
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A file for people and tools, never embedded in HTML: keep '<', '+' and quotes readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string ToJson(BenchmarkReport report) => JsonSerializer.Serialize(report, Json);

    /// <summary>One table per scenario: the measurements with their targets, then the checks and notes.</summary>
    public static string ToMarkdown(BenchmarkReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("# OrleansSaas benchmark");
        text.AppendLine();
        text.AppendLine($"- Command: `{report.CommandLine}`");
        text.AppendLine($"- Machine: {report.Machine.Describe()}");
        text.AppendLine($"- Run: {report.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {(report.FinishedAt - report.StartedAt).TotalSeconds:0} s, {(report.Passed ? "all checks passed" : "FAILED")}");
        foreach (var scenario in report.Scenarios)
        {
            text.AppendLine();
            text.AppendLine($"## {scenario.Scenario} — {(scenario.Passed ? "passed" : "FAILED")} ({scenario.DurationSeconds:0} s)");
            text.AppendLine();
            text.AppendLine($"Ran against: {scenario.RanAgainst}  ");
            text.AppendLine($"Parameters: {string.Join(", ", scenario.Parameters.Select(p => $"{p.Key}={p.Value}"))}");
            if (scenario.Error is not null) text.AppendLine().AppendLine($"**Error:** {scenario.Error}");
            if (scenario.Metrics.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("| section | measurement | value | target |");
                text.AppendLine("|---|---|---:|---|");
                foreach (var metric in scenario.Metrics)
                    text.AppendLine($"| {metric.Section} | {metric.Name} | {Value(metric)} | {Target(metric)} |");
            }
            if (scenario.Checks.Count > 0)
            {
                text.AppendLine();
                foreach (var check in scenario.Checks) text.AppendLine($"- {(check.Passed ? "✅" : "❌")} **{check.Name}**: {check.Detail}");
            }
            foreach (var note in scenario.Notes) text.AppendLine().Append("> ").AppendLine(note);
        }
        return text.ToString();
    }

    private static string Value(Metric metric)
    {
        if (metric.Value is not { } value) return metric.Note ?? "–";
        var number = value.ToString(Math.Abs(value) >= 100 || value == Math.Floor(value) ? "#,0" : "#,0.0##", CultureInfo.InvariantCulture);
        var cell = metric.Unit.Length == 0 ? number : $"{number} {metric.Unit}";
        return metric.Note is null ? cell : $"{cell} ({metric.Note})";
    }

    private static string Target(Metric metric) => metric.Target is null ? "" : $"{metric.Target} {(metric.Met == true ? "✅" : "❌")}";
}
