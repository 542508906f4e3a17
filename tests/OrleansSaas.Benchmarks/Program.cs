using System.Diagnostics;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;

// ./bench.sh SCENARIO [options]: progress goes to stderr, the markdown table to stdout (and --markdown),
// the JSON report to --out. Exit code 0 when every check passed, 1 when one failed, 2 on a usage mistake.
if (args is [] or ["help" or "--help" or "-h"])
{
    Console.WriteLine(ScenarioCatalog.Usage());
    return args.Length == 0 ? 2 : 0;
}

using var cancellation = new CancellationTokenSource();
// Ctrl-C ends the run through its normal path, so the processes and the PostgreSQL server it started are stopped.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
var clock = Stopwatch.StartNew();
void Progress(string line) => Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,7:0.0}s] {line}");

try
{
    var command = CommandLine.Parse(args);
    var report = await BenchmarkRunner.RunAsync(command, CommandText(args), Progress, cancellation.Token);
    var markdown = ReportWriters.ToMarkdown(report);
    Console.WriteLine(markdown);
    if (command.Text("markdown") is { } markdownFile) await WriteAsync(markdownFile, markdown);
    if (command.Text("out") is { } jsonFile) await WriteAsync(jsonFile, ReportWriters.ToJson(report));
    return report.Passed ? 0 : 1;
}
catch (UsageException usage)
{
    Console.Error.WriteLine($"error: {usage.Message}\n\n{ScenarioCatalog.Usage()}");
    return 2;
}

// A long run must not end in "directory not found".
async Task WriteAsync(string path, string content)
{
    if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
    await File.WriteAllTextAsync(path, content);
    Progress($"wrote {path}");
}

// As the user typed it (bench.sh names itself in BENCH_LAUNCHER; otherwise this was 'dotnet run'), keys masked.
static string CommandText(string[] args)
{
    var shown = args.Select((a, i) => i > 0 && args[i - 1] is "--api-key" or "--admin-key" ? "***" : Quote(a));
    var launcher = Environment.GetEnvironmentVariable("BENCH_LAUNCHER") ?? "dotnet run -c Release --project tests/OrleansSaas.Benchmarks --";
    return string.Join(' ', shown.Prepend(launcher));
}

static string Quote(string arg) =>
    arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./:=,@+".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''")}'";
