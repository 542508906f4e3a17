using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>A silo or gateway started as a real process, with its output kept for diagnosis.</summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyMarker;

    public string Name { get; }

    /// <summary>The line that showed the process ready (it names a silo's address); kept apart because old output is dropped.</summary>
    public string? ReadyLine { get; private set; }

    private ManagedProcess(string name, ProcessStartInfo info, string readyMarker)
    {
        Name = name;
        _readyMarker = readyMarker;
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) =>
        {
            _process.WaitForExit(); // drains the redirected output, so the message has the process's last words
            _ready.TrySetException(new InvalidOperationException($"{Name} exited before it was ready.\n{Output()}"));
        };
    }

    /// <param name="workingDirectory">Where the process starts; the dll's folder unless given (run.sh starts hosts from the repository root).</param>
    public static Task<ManagedProcess> StartAsync(string name, string dll, IDictionary<string, string> environment, string readyMarker, TimeSpan timeout,
        string? workingDirectory = null) =>
        StartAsync(name, "dotnet", [dll], workingDirectory ?? Path.GetDirectoryName(dll)!, environment, readyMarker, timeout);

    /// <summary>A script of the repository (run.sh) run by bash from the repository root, as a user runs it.</summary>
    public static Task<ManagedProcess> StartScriptAsync(string name, string script, IReadOnlyList<string> arguments, IDictionary<string, string> environment,
        string readyMarker, TimeSpan timeout) =>
        StartAsync(name, "bash", [Path.Combine(Artifacts.RepositoryRoot, script), .. arguments], Artifacts.RepositoryRoot, environment, readyMarker, timeout);

    private static async Task<ManagedProcess> StartAsync(string name, string file, IEnumerable<string> arguments, string workingDirectory,
        IDictionary<string, string> environment, string readyMarker, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var process = new ManagedProcess(name, info, readyMarker);
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        try
        {
            await process._ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new TimeoutException($"{name} was not ready within {timeout}.\n{process.Output()}");
        }
        return process;
    }

    public string Output() => string.Join('\n', _lines.TakeLast(200));

    /// <summary>The kept lines of output (the last 2,000) that contain this text.</summary>
    public IReadOnlyList<string> LinesContaining(string text) => _lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>CPU time the process has used so far (user + system, all threads); zero once it has exited.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    public bool HasExited => _process.HasExited;

    public bool OutputContains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until a line of output contains the text; fails with the output if the process exits first or time runs out.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!OutputContains(text))
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected output
                if (OutputContains(text)) return;
                throw new InvalidOperationException($"{Name} exited without writing '{text}'.\n{Output()}");
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} did not write '{text}' within {timeout}.\n{Output()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Whether the process ended (by itself) within the timeout.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>kill -9: no shutdown code runs, exactly like a crashed server.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGKILL of this process alone: its children must notice by themselves (e.g. by their stdin closing).</summary>
    public void KillAlone()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, so the host shuts down gracefully; killed if it takes too long.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        using (var term = Process.Start("kill", $"-TERM {_process.Id}")) await term.WaitForExitAsync();
        if (!await ExitsWithinAsync(timeout)) Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        while (_lines.Count > 2000) _lines.TryDequeue(out _);
        if (ReadyLine is null && line.Contains(_readyMarker, StringComparison.Ordinal))
        {
            ReadyLine = line;
            _ready.TrySetResult();
        }
    }
}
