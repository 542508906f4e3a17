using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.InProcess;

/// <summary>
/// The grain directory keeps a dead silo's grains from being activated elsewhere for a while after its death; the silo
/// host sets that hold from Failover:DirectoryHoldAfterDeath instead of Orleans' 30 s from the estimated failure.
/// </summary>
public sealed class DirectoryHoldTests
{
    [Theory]
    [InlineData(null, 2)]   // the silo's appsettings.json
    [InlineData("00:00:07", 7)]
    public async Task The_hold_after_a_silo_is_declared_dead_is_the_configured_one(string? configured, int expectedSeconds)
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("directory-hold");
        string[] args =
        [
            $"--ConnectionStrings:Postgres={connectionString}",
            $"--Security:CredentialKey={Convert.ToBase64String(new byte[32])}",
            .. configured is null ? Array.Empty<string>() : [$"--Failover:DirectoryHoldAfterDeath={configured}"],
        ];
        using var host = SiloHostServices.Build(args);

        var membership = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        var directory = host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
        // Orleans starts the hold at the declaration less the failure-detection window (the longest probe times the missed probes).
        var failureDetectionWindow = membership.MaxProbeTimeout * membership.NumMissedProbesLimit;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), directory.RangeLeaseDuration - failureDetectionWindow);
    }
}
