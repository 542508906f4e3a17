using System.Text.RegularExpressions;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Target;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// What one message costs, from the first send until every message has settled: CPU of the silos and gateway,
/// CPU of PostgreSQL, commits, and each statement's calls per message. These hardly depend on how busy the machine is.
/// </summary>
public static partial class CostReporting
{
    public static void Add(ScenarioReport report, CostSnapshot before, CostSnapshot after, IReadOnlyList<StatementCost> statements,
        IReadOnlyList<WalRecordCost> walRecords, int messages, TimeSpan? settledAfter, double rate)
    {
        if (messages == 0) return;
        const string section = "cost per message";
        if (settledAfter is { } elapsed)
            report.Add("delivery", "settled/s end to end (database)", messages / elapsed.TotalSeconds, "msg/s",
                rate > 0 ? null : Goal.AtLeast(2500, "≥ 2,500 msg/s delivered"),
                note: "first send → every message delivered with its receipt and every event numbered, read from PostgreSQL");
        report.Add(section, "silo + gateway CPU", (after.ProductCpu - before.ProductCpu).TotalMilliseconds / messages, "ms",
            note: "process CPU time of all silos and gateways over the messages accepted");
        report.Add(section, "PostgreSQL CPU", (after.PostgresCpu - before.PostgresCpu).TotalMilliseconds / messages, "ms");
        report.Add(section, "commits", (double)(after.Commits - before.Commits) / messages, "");
        report.Add(section, "WAL", (after.WalBytes - before.WalBytes) / 1024.0 / messages, "KiB",
            note: $"{(after.WalFullPages - before.WalFullPages) / (double)messages:0.00} full-page images per message");
        foreach (var record in walRecords)
            report.AddText(section, $"WAL {record.Kind}", $"{record.Count / (double)messages:0.00} records, {record.Bytes / (double)messages:N0} bytes");
        report.Add(section, "statements", statements.Sum(s => s.Calls) / (double)messages, "", note: "the 30 most called");
        var updates = after.MessageUpdates - before.MessageUpdates;
        if (updates > 0)
            report.Add(section, "message updates written in place (HOT)", 100.0 * (after.MessageHotUpdates - before.MessageHotUpdates) / updates, "%",
                note: $"{updates / (double)messages:0.00} updates of the messages table per message (PostgreSQL's statistics, flushed with a delay of up to a second)");
        foreach (var statement in statements.Where(s => s.Calls * 50 >= messages))
            report.AddText(section, $"{statement.Calls / (double)messages:0.00}× {statement.TotalMilliseconds / statement.Calls:0.000} ms",
                Shorten(statement.Query));
    }

    /// <summary>The statement on one line, cut to a readable length.</summary>
    private static string Shorten(string query)
    {
        var line = Whitespace().Replace(query, " ").Trim();
        return line.Length <= 160 ? line : line[..157] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
