using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Gateway.Health;

/// <summary>How a gateway stops gracefully ("Shutdown" section).</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// After SIGTERM, how long the gateway keeps serving while /health/ready already says it is stopping, so a
    /// load balancer stops sending it new requests before it stops accepting them. Longer than the balancer's probe interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan NotReadyDelay { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// The first step of a graceful stop: report not ready, keep serving for <see cref="ShutdownOptions.NotReadyDelay"/>,
/// and only then let the server stop, which finishes the requests in flight (every send answers within seconds).
/// </summary>
public sealed class ShutdownReadiness(IOptions<ShutdownOptions> options, ILogger<ShutdownReadiness> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _stopping;

    // Runs before any hosted service stops, the web server included.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (options.Value.NotReadyDelay <= TimeSpan.Zero) return;
        logger.LogInformation("Stopping: reporting not ready for {Delay} before the server stops accepting requests", options.Value.NotReadyDelay);
        try
        {
            await Task.Delay(options.Value.NotReadyDelay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_stopping ? HealthCheckResult.Unhealthy("The gateway is stopping.") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
