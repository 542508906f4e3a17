using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Engines.Web;

/// <summary>
/// Runs this silo's sidecar (PROTOCOL.md): starts it, says hello, pings it, restarts it with backoff when it dies or
/// stops answering, and stops it with the silo. The sidecar exits when its stdin closes, so it also dies with a killed silo.
/// </summary>
public sealed class SidecarSupervisor(WebEngineSetup setup, IServiceProvider services, IOptions<WebEngineOptions> options, ILogger<SidecarSupervisor> logger) : BackgroundService
{
    private WebEngineOptions Options => options.Value;
    private volatile SidecarConnection? _current;

    /// <summary>The sidecar, once its hello was answered; null while it is down.</summary>
    public SidecarConnection? Current => _current;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var engine = services.GetRequiredService<WebEngine>();
        var delay = Options.RestartInitialDelay;
        while (!stopping.IsCancellationRequested)
        {
            var started = DateTimeOffset.UtcNow;
            SidecarConnection? connection = null;
            try
            {
                connection = Start(engine);
                await HelloAsync(connection);
                _current = connection;
                logger.LogInformation("Web sidecar is up in {Folder}", setup.SidecarFolder);
                await WatchAsync(connection, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception error)
            {
                logger.LogWarning("Web sidecar failed: {Error}", error.Message);
            }
            var wasUp = _current is not null;
            _current = null;
            if (connection is not null) await connection.DisposeAsync();
            if (wasUp) engine.OnSidecarLost();
            if (stopping.IsCancellationRequested) break;
            // A sidecar that ran a while starts again quickly; one that keeps dying waits longer each time.
            if (DateTimeOffset.UtcNow - started > TimeSpan.FromMinutes(1)) delay = Options.RestartInitialDelay;
            logger.LogWarning("Web sidecar is down; restarting in {Delay}", delay);
            try { await Task.Delay(delay, stopping); } catch (OperationCanceledException) { break; }
            delay = TimeSpan.FromTicks(Math.Min(Options.RestartMaxDelay.Ticks, delay.Ticks * 2));
        }
    }

    private SidecarConnection Start(WebEngine engine)
    {
        var start = new ProcessStartInfo(Options.NodePath)
        {
            WorkingDirectory = setup.SidecarFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Options.Script);
        foreach (var (name, value) in Options.Environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text) logger.LogInformation("sidecar: {Line}", text);
        };
        process.BeginErrorReadLine();
        return new SidecarConnection(process, engine.ServeAsync, engine.OnSidecarEvent, Options.MaxInFlight, Options.RequestTimeout, logger);
    }

    private async Task HelloAsync(SidecarConnection connection)
    {
        var reply = await connection.RequestAsync("hello", new JsonObject
        {
            ["protocol"] = 1,
            ["reconnect"] = new JsonObject { ["initialMs"] = Options.ReconnectInitialMs, ["factor"] = 2, ["maxMs"] = Options.ReconnectMaxMs, ["jitter"] = 0.2 },
            ["maxInFlight"] = 32,
        });
        if ((int?)reply["protocol"] != 1) throw new InvalidOperationException($"The sidecar speaks protocol {reply["protocol"]}, not 1.");
    }

    /// <summary>Pings until the sidecar dies, stops answering, or the silo stops.</summary>
    private async Task WatchAsync(SidecarConnection connection, CancellationToken stopping)
    {
        while (true)
        {
            var tick = Task.Delay(Options.PingInterval, stopping);
            if (await Task.WhenAny(tick, connection.Closed) == connection.Closed) return;
            await tick;
            await connection.RequestAsync("ping", timeout: Options.RequestTimeout);
        }
    }
}
