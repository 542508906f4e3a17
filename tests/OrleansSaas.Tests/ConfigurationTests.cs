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
}
