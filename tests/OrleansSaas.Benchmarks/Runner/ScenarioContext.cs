using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Client;
using OrleansSaas.Benchmarks.Target;

namespace OrleansSaas.Benchmarks.Runner;

/// <summary>What a scenario runs with: its options, the gateway, the cluster when the tool started it, a progress log.</summary>
public sealed class ScenarioContext(CommandLine command, GatewayTarget gateway, LocalCluster? cluster, Action<string> progress, CancellationToken cancellation)
{
    // Far above any run: the tenant's plan must never be what a benchmark measures.
    private const int MessagesPerMinute = 1_000_000;

    public CommandLine Command { get; } = command;
    public GatewayTarget Gateway { get; } = gateway;
    public Action<string> Progress { get; } = progress;
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>The cluster the tool started; scenarios that need it say so in their <see cref="ClusterPlan"/>.</summary>
    public LocalCluster Cluster => cluster ?? throw new InvalidOperationException("This scenario needs the cluster the tool starts itself.");

    /// <summary>The cluster the tool started, or null when it measures a gateway given by URL.</summary>
    public LocalCluster? OwnCluster => cluster;

    /// <summary>The operators' API, when the admin key is known.</summary>
    public AdminApi? Admin => Gateway.HasAdmin ? Gateway.Admin() : null;

    /// <summary>The tenant API for the run: the --api-key given, or a new tenant whose plan fits the run.</summary>
    public async Task<GatewayApi> TenantAsync(int sessions)
    {
        if (Gateway.ApiKey is { } key) return Gateway.Tenant(key);
        var (tenantId, apiKey) = await Gateway.Admin().CreateTenantAsync($"benchmark {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}", sessions + 10, MessagesPerMinute, Cancellation);
        Progress($"created tenant {tenantId} (room for {sessions + 10} sessions, {MessagesPerMinute:N0} messages/minute)");
        return Gateway.Tenant(apiKey);
    }
}
