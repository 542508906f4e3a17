using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Security__CredentialKey", "", "Security:CredentialKey")]
    [InlineData("Security__CredentialKey", "c2hvcnQ=", "Security:CredentialKey")]
    [InlineData("Silo__SiloPort", "70000", "SiloPort")]
    [InlineData("Sessions__MaxQrCodes", "0", "MaxQrCodes")]
    [InlineData("Telemetry__LogFormat", "Xml", "Telemetry:LogFormat")]
    [InlineData("Telemetry__OtlpEndpoint", "collector:4317", "Telemetry:OtlpEndpoint")]
    public async Task A_silo_with_invalid_settings_refuses_to_start_and_names_the_setting(string variable, string value, string named)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = await PostgresServer.Instance.CreateDatabaseAsync("config"),
            ["Security__CredentialKey"] = Convert.ToBase64String(new byte[32]),
            ["Silo__SiloPort"] = PostgresServer.FreePort().ToString(),
            ["Silo__GatewayPort"] = PostgresServer.FreePort().ToString(),
            ["Silo__HttpPort"] = PostgresServer.FreePort().ToString(),
            [variable] = value,
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ManagedProcess.StartAsync("silo", Artifacts.SiloDll, environment, "Silo is active", TimeSpan.FromSeconds(60)));

        Assert.Contains(named, failure.Message);
    }

    [Fact]
    public async Task A_silo_without_a_connection_string_says_which_setting_is_missing()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ManagedProcess.StartAsync("silo", Artifacts.SiloDll, new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = "" }, "Silo is active", TimeSpan.FromSeconds(60)));

        Assert.Contains("ConnectionStrings:Postgres", failure.Message);
    }

    [Fact]
    public async Task A_silo_started_from_the_repository_root_as_run_sh_starts_it_uses_the_documented_membership_timings()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = await PostgresServer.Instance.CreateDatabaseAsync("contentroot"),
            ["Security__CredentialKey"] = Convert.ToBase64String(new byte[32]),
            ["Silo__ClusterId"] = $"root-{Guid.NewGuid():N}"[..17],
            ["Silo__SiloPort"] = PostgresServer.FreePort().ToString(),
            ["Silo__GatewayPort"] = PostgresServer.FreePort().ToString(),
            ["Silo__HttpPort"] = PostgresServer.FreePort().ToString(),
            ["DOTNET_ENVIRONMENT"] = "Development",
            // Orleans writes the options it runs with at start-up; only this logger is turned up, the rest keep appsettings.json's levels.
            ["Logging__LogLevel__Orleans.Runtime.SiloOptionsLogger"] = "Information",
        };

        await using var silo = await ManagedProcess.StartAsync("silo", Artifacts.SiloDll, environment, "Silo is active", TimeSpan.FromSeconds(90),
            workingDirectory: Artifacts.RepositoryRoot);

        // silo/OrleansSaas.Silo/appsettings.json (and README "Failover"): 2 s probes, 2 missed probes, 1 vote; Orleans' own defaults are 5 s, 3, 2.
        var membership = silo.Output().Split('\n').FirstOrDefault(l => l.Contains("Orleans.Configuration.ClusterMembershipOptions:", StringComparison.Ordinal));
        Assert.True(membership is not null, silo.Output());
        Assert.Matches(@"\sProbeTimeout: 00:00:02\s", membership);
        Assert.Matches(@"\sNumMissedProbesLimit: 2\s", membership);
        Assert.Matches(@"\sNumVotesForDeathDeclaration: 1\s", membership);
        // and its logging levels: Orleans at Warning, but for membership (and the options logger turned up above).
        var orleansInfo = silo.Output().Split('\n').Where(l => l.Contains("info: Orleans.", StringComparison.Ordinal)).ToList();
        Assert.All(orleansInfo, line => Assert.Matches(@"info: Orleans\.Runtime\.(SiloOptionsLogger|MembershipService)", line));
    }
}
