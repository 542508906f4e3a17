using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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

    [Fact]
    public async Task Run_sh_reports_a_dead_silo_1_while_the_gateway_and_silo_2_keep_serving_and_run_sh_stop_ends_everything()
    {
        // A folder the postgres user can reach (run.sh runs PostgreSQL as that user when it runs as root).
        var data = Path.Combine(Path.GetTempPath(), $"orleanssaas-runsh-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        var environment = new Dictionary<string, string>
        {
            ["DATA_DIR"] = data,
            ["SKIP_BUILD"] = "1", // the test run has built the Release binaries
            ["PGPORT"] = PostgresServer.FreePort().ToString(),
            ["PGSTANDBY_PORT"] = PostgresServer.FreePort().ToString(),
            ["GATEWAY_PORT"] = PostgresServer.FreePort().ToString(),
            ["SILO_PORT_BASE"] = PostgresServer.FreePorts(2).ToString(),
            ["SILO_GATEWAY_PORT_BASE"] = PostgresServer.FreePorts(2).ToString(),
            ["SILO_HTTP_PORT_BASE"] = PostgresServer.FreePorts(2).ToString(),
        };
        var started = new List<ManagedProcess>();
        var passed = false;
        try
        {
            var cluster = await ManagedProcess.StartScriptAsync("run.sh", "run.sh", [], environment, "Demo API key:", TimeSpan.FromSeconds(180));
            started.Add(cluster);
            // Added once the cluster is up, as the README does: the gateway then knows only silo 1's gateway
            // until its next gateway-list refresh (a minute), so its first call after the kill meets a dead silo.
            var silo2 = await ManagedProcess.StartScriptAsync("run.sh silo 2", "run.sh", ["silo", "2"], environment, "Silo is active", TimeSpan.FromSeconds(150));
            started.Add(silo2);
            var silo2Address = Regex.Match(silo2.ReadyLine!, @"Silo is active: (\S+) ").Groups[1].Value;

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{environment["GATEWAY_PORT"]}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", File.ReadAllText(Path.Combine(data, "demo-api-key")).Trim());
            var alice = await client.CreatePairedSessionAsync("+12015550971");
            var bob = await client.CreatePairedSessionAsync("+12015550972");

            using (var silo1 = Process.GetProcessById(ReadPid(Path.Combine(data, "run", "silo1.pid")))) silo1.Kill(); // SIGKILL
            await cluster.WaitForOutputAsync("silo 1 stopped unexpectedly", TimeSpan.FromSeconds(30));

            // Retriable 503s until the gateway has found silo 2, never a 500.
            await Api.EventuallyAsync(async () =>
            {
                var ping = await client.GetAsync("/v1/ping");
                Assert.True(ping.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)ping.StatusCode}: {await ping.Content.ReadAsStringAsync()}");
                return ping.StatusCode;
            }, s => s == HttpStatusCode.OK, Patience, "the gateway to answer /v1/ping");
            foreach (var session in new[] { alice, bob })
                await Api.EventuallyAsync(() => client.TryGetSessionAsync(session),
                    s => (string?)s?["status"] == "connected" && (string?)s["placement"]!["silo"] == silo2Address, Patience, $"{session} connected on silo 2");
            await client.SendTextAsync(alice, "+12015550972", "after silo 1 died");
            await Api.EventuallyAsync(() => client.ListAllMessagesAsync(bob, "inbound"), m => m.Count == 1, Patience, "bob to receive the message");
            Assert.False(cluster.HasExited, cluster.Output());

            var gateway = ReadPid(Path.Combine(data, "run", "gateway.pid"));
            var silo2Pid = ReadPid(Path.Combine(data, "run", "silo2.pid"));
            var postgres = ReadPid(Path.Combine(data, "pg", "postmaster.pid"));
            var stop = await ManagedProcess.StartScriptAsync("run.sh stop", "run.sh", ["stop"], environment, "==> Stopped", TimeSpan.FromSeconds(120));
            started.Add(stop);

            Assert.True(await cluster.ExitsWithinAsync(TimeSpan.FromSeconds(30)), cluster.Output());
            Assert.True(cluster.OutputContains("Stopped by './run.sh stop'"), cluster.Output());
            Assert.True(await silo2.ExitsWithinAsync(TimeSpan.FromSeconds(30)), silo2.Output());
            Assert.All(new[] { gateway, silo2Pid, postgres }, pid => Assert.False(IsRunning(pid), $"pid {pid} still runs.\n{stop.Output()}"));
            Assert.Contains("Stopping PostgreSQL", stop.Output());

            // A graceful stop must not be cut short while the silo still moves its sessions away.
            var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "silo", "OrleansSaas.Silo", "appsettings.json")))!;
            var drain = TimeSpan.Parse((string)settings["Cluster"]!["ShutdownDrainTimeout"]!);
            var siloStop = Regex.Match(stop.Output(), @"Stopping silo2 \(pid \d+; SIGKILL after (\d+) s\)");
            Assert.True(siloStop.Success, stop.Output());
            Assert.True(int.Parse(siloStop.Groups[1].Value) > drain.TotalSeconds, $"{siloStop.Value}, but Cluster:ShutdownDrainTimeout is {drain}");
            passed = true;
        }
        finally
        {
            // A failure keeps the cluster's logs (the gateway's names the exception behind a 500).
            if (!passed) CopyLogs(Path.Combine(data, "logs"), Path.Combine(Artifacts.RepositoryRoot, "TestResults", $"run-sh-logs-{Guid.NewGuid():N}"));
            // Whatever happened: every process this test started ends (run.sh stops its children on SIGTERM; killed, they
            // go with it), and 'run.sh stop' ends what outlives them (PostgreSQL runs detached).
            foreach (var process in started) await process.DisposeAsync();
            await using (await ManagedProcess.StartScriptAsync("run.sh stop", "run.sh", ["stop"], environment, "==> Stopped", TimeSpan.FromSeconds(120))) { }
            Directory.Delete(data, recursive: true);
        }
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static void CopyLogs(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private static int ReadPid(string file) => int.Parse(File.ReadLines(file).First().Trim());

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z'; // a zombie has ended, only its parent has not reaped it yet
        }
        catch (IOException)
        {
            return false;
        }
    }
}
