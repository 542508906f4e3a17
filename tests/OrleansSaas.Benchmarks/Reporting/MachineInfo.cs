using System.Runtime.InteropServices;

namespace OrleansSaas.Benchmarks.Reporting;

/// <summary>The machine the numbers came from; numbers without it cannot be compared.</summary>
public sealed record MachineInfo(int Cores, string? Cpu, long? MemoryBytes, string Os, string DotNet, int? LoadAverageAtStartPercent)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ProcFileValue("/proc/cpuinfo", "model name"),
        ProcFileValue("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], out var kib) ? kib * 1024 : null,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverage());

    public string Describe() =>
        $"{Cores} cores{(Cpu is null ? "" : $" ({Cpu})")}, {(MemoryBytes is { } m ? $"{m / (1024.0 * 1024 * 1024):0.0} GiB RAM" : "RAM unknown")}, {Os}, {DotNet}" +
        (LoadAverageAtStartPercent is { } load ? $", 1-min load at start {load}% of the cores" : "");

    // Linux only; elsewhere these stay unknown.
    private static string? ProcFileValue(string path, string key)
    {
        if (!File.Exists(path)) return null;
        return File.ReadLines(path).Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault();
    }

    // Other work on a shared machine skews every number; the report says how busy it was.
    private static int? LoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return null;
        var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return double.TryParse(first, System.Globalization.CultureInfo.InvariantCulture, out var load) ? (int)Math.Round(load * 100 / Environment.ProcessorCount) : null;
    }
}
