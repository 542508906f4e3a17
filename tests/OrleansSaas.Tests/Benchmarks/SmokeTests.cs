using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Scenarios;
using Xunit.Abstractions;

namespace OrleansSaas.Tests.Benchmarks;

/// <summary>
/// Short runs of the benchmark scenarios (./bench.sh, docs/benchmarks.md) through the tool itself, each on a
/// PostgreSQL server and processes of its own, so CI notices when the tool or the guarantees it measures
/// break. They assert correctness only; how fast is for the full runs.
/// </summary>
public sealed class SmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Load_delivers_every_accepted_message_exactly_once()
    {
        var scenario = await RunAsync("load", "--sessions", "20", "--messages", "300", "--warmup-messages", "50", "--rate", "200", "--concurrency", "8", "--ping-requests", "100");

        AssertPassed(scenario, DeliveryReporting.Accepted, DeliveryReporting.AllDelivered, DeliveryReporting.NoDuplicates);
        // Nothing was broken on purpose, so every send was accepted and every ping answered. The warm-up's messages are
        // checked for delivery with the rest but are not in the timed figures.
        Assert.Equal(350, scenario.Value("delivery", "accepted"));
        Assert.Equal(300, scenario.Value("send", "202 responses"));
        Assert.Equal(100, scenario.Value("ping", "200 responses"));
    }

    [Fact]
    public async Task Chaos_brings_sessions_back_and_loses_or_duplicates_nothing_through_a_silo_kill_and_a_PostgreSQL_restart()
    {
        var scenario = await RunAsync("chaos", "--sessions", "20", "--rate", "20", "--concurrency", "8",
            "--warmup", "1", "--settle", "3", "--pg-downtime", "2", "--short-timings");

        AssertPassed(scenario, ChaosScenario.SessionsBack, ChaosScenario.AcceptedAfterPostgres, ChaosScenario.AllConnectedAtEnd, ChaosScenario.NoServerErrors,
            DeliveryReporting.Accepted, DeliveryReporting.AllDelivered, DeliveryReporting.NoDuplicates);
        Assert.True(scenario.Value("silo kill -9", "sessions on the killed silo") > 0);
    }

    [Fact]
    public async Task Rolling_restart_of_every_silo_and_gateway_loses_or_duplicates_nothing()
    {
        // The product's own timings: a graceful stop hands sessions over and a stopping gateway reports not ready first.
        var scenario = await RunAsync("rolling", "--silos", "2", "--gateways", "2", "--sessions", "20", "--rate", "20", "--concurrency", "8", "--pause", "1");

        AssertPassed(scenario, RollingScenario.OnlyRetriableErrors, RollingScenario.AllConnectedAtEnd,
            DeliveryReporting.Accepted, DeliveryReporting.AllDelivered, DeliveryReporting.NoDuplicates);
    }

    [Fact]
    public async Task Webhooks_deliver_an_event_for_every_inbound_message()
    {
        var scenario = await RunAsync("webhooks", "--sessions", "10", "--messages", "200", "--rate", "100", "--concurrency", "8");

        AssertPassed(scenario, WebhooksScenario.AllArrived);
        Assert.Equal(200, scenario.Value("delivery", "events delivered"));
    }

    [Fact]
    public async Task A_PostgreSQL_promotion_under_traffic_loses_no_accepted_message()
    {
        var scenario = await RunAsync("failover-db", "--silos", "1", "--sessions", "6", "--rate", "20", "--concurrency", "8",
            "--warmup", "2", "--promote-after", "1", "--short-timings");

        AssertPassed(scenario, FailoverDbScenario.AcceptedAfterPromotion, FailoverDbScenario.NoServerErrors,
            DeliveryReporting.Accepted, DeliveryReporting.AllDelivered, DeliveryReporting.NoDuplicates);
        Assert.True(scenario.Value("delivery", "accepted") > 0);
    }

    [Fact]
    public async Task Backup_destroy_restore_brings_back_every_message_accepted_before_the_backup_end_and_the_restore_point()
    {
        var scenario = await RunAsync("recovery", "--silos", "1", "--sessions", "6", "--rate", "20", "--concurrency", "8",
            "--warmup", "2", "--after-backup", "2", "--short-timings");

        AssertPassed(scenario, RecoveryScenario.NoneMissingBeforeBackupEnd, RecoveryScenario.NoneMissingBeforeRestorePoint,
            RecoveryScenario.NoDuplicates, RecoveryScenario.AllConnected);
        Assert.True(scenario.Value("delivery", "accepted before the backup's end") > 0);
    }

    private async Task<ScenarioReport> RunAsync(params string[] args)
    {
        var logs = Path.Combine(Path.GetTempPath(), $"orleanssaas-smoke-{Guid.NewGuid():N}");
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = await BenchmarkRunner.RunAsync(CommandLine.Parse([.. args, "--logs", logs]), string.Join(' ', args),
                line => output.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0.0}s] {line}"), CancellationToken.None);
            var scenario = Assert.Single(report.Scenarios);
            output.WriteLine(ReportWriters.ToMarkdown(report));
            // The processes' last words, only when something went wrong.
            if (!scenario.Passed)
                foreach (var file in Directory.EnumerateFiles(logs)) output.WriteLine(await File.ReadAllTextAsync(file));
            return scenario;
        }
        finally
        {
            if (Directory.Exists(logs)) Directory.Delete(logs, recursive: true);
        }
    }

    private static void AssertPassed(ScenarioReport scenario, params string[] checks)
    {
        Assert.True(scenario.Error is null, scenario.Error);
        foreach (var name in checks)
        {
            var check = Assert.Single(scenario.Checks, c => c.Name == name);
            Assert.True(check.Passed, $"{name}: {check.Detail}");
        }
        Assert.All(scenario.Checks, check => Assert.True(check.Passed, $"{check.Name}: {check.Detail}"));
    }
}
