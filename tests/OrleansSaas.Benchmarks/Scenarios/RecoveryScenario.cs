using System.Diagnostics;
using OrleansSaas.Benchmarks.Cli;
using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Runner;
using OrleansSaas.Benchmarks.Target;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>
/// The restore drill under load, with ops/backup.sh: take a base backup, keep sending, close the WAL segment
/// (the restore point), then lose everything (silos, gateway, PostgreSQL and its data directory), restore the
/// backup and replay the archive to its end, start the cluster again. Measures the restore and the reconnect,
/// and counts in the restored database every message accepted before the backup's end and the restore point.
/// </summary>
public sealed class RecoveryScenario : IScenario
{
    public const string NoneMissingBeforeBackupEnd = "every message accepted before the backup's end restored";
    public const string NoneMissingBeforeRestorePoint = "every message accepted before the restore point restored";
    public const string NoDuplicates = "no message twice in the restored database";
    public const string AllConnected = "every session connected again";
    public const string AcceptedAfterRestore = "sends accepted again after the restore";

    public string Name => "recovery";

    public string Summary => "under load: base backup, keep sending, destroy the data directory, restore to the latest point; restore time, nothing accepted missing";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("silos", "2", "silos to start"),
        new("sessions", "100", "sessions to create and pair"),
        new("rate", "100", "sends per second during the whole run"),
        new("concurrency", "32", "most requests in flight at once"),
        new("setup-concurrency", "32", "sessions created and paired at once"),
        new("retries", "3", "times a failed send is retried (same Idempotency-Key)"),
        new("warmup", "5", "seconds of load before the base backup, and after sends are accepted again"),
        new("after-backup", "10", "seconds of load between the base backup and the restore point"),
        new("recovery-timeout", "300", "seconds to wait for the restore, the sessions and sends to come back"),
    ];

    public ClusterPlan PlanCluster(CommandLine command) =>
        new(Silos(command), new Dictionary<string, string> { ["Silo__MaxSessions"] = Math.Max(10_000, Sessions(command)).ToString() }, NeedsOwnCluster: true)
        { Database = DatabaseTopology.Archived };

    private static int Silos(CommandLine command) => command.Int("silos", 2, min: 1, max: 16);

    private static int Sessions(CommandLine command) => command.Int("sessions", 100, min: 2, max: 100_000);

    public async Task RunAsync(ScenarioContext context, ScenarioReport report)
    {
        var command = context.Command;
        var cancellation = context.Cancellation;
        var sessions = Sessions(command);
        var rate = command.Double("rate", 100, min: 0.1);
        var concurrency = command.Int("concurrency", 32, min: 1, max: 10_000);
        var retries = command.Int("retries", 3, min: 0, max: 100);
        var warmup = command.Seconds("warmup", 5);
        var afterBackup = command.Seconds("after-backup", 10);
        var timeout = command.Seconds("recovery-timeout", 300, min: 1);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("sessions", sessions), ("rate", rate), ("concurrency", concurrency), ("retries", retries),
                     ("warmup", warmup.TotalSeconds), ("after-backup", afterBackup.TotalSeconds),
                 })
            report.Parameters[key] = value.ToString()!;

        var cluster = context.Cluster;
        var api = await context.TenantAsync(sessions);
        context.Progress($"creating and pairing {sessions} sessions");
        var fleet = await SessionFleet.CreateAsync(api, sessions, command.Int("setup-concurrency", 32, min: 1), context.Progress, cancellation);

        var phases = new PhaseLog();
        var traffic = new MessageTraffic(api, fleet.Sessions, retries);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        context.Progress($"load: {rate:N0} sends/s, {concurrency} at once, {retries} retries per send");
        phases.Begin("steady load");
        var load = RateRunner.RunAsync(long.MaxValue, rate, concurrency, index => traffic.SendAsync(index, stopLoad.Token), stopLoad.Token);
        HashSet<string> beforeBackupEnd, beforeRestorePoint;
        const string section = "restore";
        try
        {
            await Task.Delay(warmup, cancellation);
            context.Progress("ops/backup.sh now (base backup, verified)");
            phases.Begin("base backup");
            var backupClock = Stopwatch.StartNew();
            var backup = await cluster.TakeBackupAsync();
            report.Add("backup", "base backup taken and verified in", backupClock.Elapsed.TotalSeconds, "s", note: backup);
            beforeBackupEnd = [.. traffic.Accepted.Keys];

            phases.Begin("after the backup");
            await Task.Delay(afterBackup, cancellation);
            context.Progress("restore point: closing the WAL segment and waiting for the archive");
            beforeRestorePoint = [.. traffic.Accepted.Keys];
            var segment = await cluster.ArchiveNowAsync(TimeSpan.FromSeconds(60));
            report.AddText("backup", "restore point (last archived WAL segment)", segment);

            context.Progress("destroying: kill -9 of every silo and PostgreSQL, the gateway stopped, the data directory deleted");
            var destroyedAt = phases.Begin("destroyed, restoring");
            await cluster.DestroyAsync();
            var restoring = Stopwatch.StartNew();
            await cluster.RestoreAsync();
            var restoreTime = restoring.Elapsed;
            report.Add(section, "restore time (ops/backup.sh restore + PostgreSQL recovery)", restoreTime.TotalSeconds, "s", Goal.Below(300, "< 5 min"));
            context.Progress($"restored in {restoreTime.TotalSeconds:0.0} s; starting the silos and the gateway");

            var restoredAt = phases.Begin("restored, cluster starting");
            await cluster.StartAgainAsync(Silos(command));
            report.Add(section, "cluster started again in", (DateTimeOffset.UtcNow - restoredAt).TotalSeconds, "s");
            phases.Begin("cluster started, until a send is accepted");
            var firstAccepted = await FailoverDbScenario.FirstAcceptedAsync(traffic, restoredAt, timeout, cancellation);
            report.Add(section, "first send accepted after the destruction", firstAccepted is { } f ? (f - destroyedAt).TotalSeconds : null, "s");
            report.Check(AcceptedAfterRestore, firstAccepted is not null, firstAccepted is null ? $"no 202 within {timeout.TotalSeconds:0} s" : "sends are accepted again");

            var (connected, allAt) = await WaitAllConnectedAsync(api, fleet.Sessions.Select(s => s.Id).ToList(), timeout, cancellation);
            report.Add(section, "every session connected again after the restore", allAt is { } at ? (at - restoredAt).TotalSeconds : null, "s",
                note: "from PostgreSQL accepting connections again");
            report.Check(AllConnected, connected == sessions, $"{connected}/{sessions} connected");
            phases.Begin("after the restore");
            await Task.Delay(warmup, cancellation);
        }
        finally
        {
            stopLoad.Cancel();
            await load;
            phases.End();
        }
        ChaosScenario.ReportClientView(report, phases, traffic);

        var restored = await cluster.OutboundTextsAsync(MessageTraffic.TextPrefix);
        var missingBeforeBackup = beforeBackupEnd.Count(t => !restored.ContainsKey(t));
        var missingBeforePoint = beforeRestorePoint.Count(t => !restored.ContainsKey(t));
        var afterPoint = traffic.Accepted.Keys.Where(t => !beforeRestorePoint.Contains(t)).ToList();
        report.Add("delivery", "accepted before the backup's end", beforeBackupEnd.Count, "messages");
        report.Add("delivery", "accepted before the backup's end, missing after the restore", missingBeforeBackup, "messages", Goal.AtMost(0, "0"));
        report.Add("delivery", "accepted before the restore point", beforeRestorePoint.Count, "messages");
        report.Add("delivery", "accepted before the restore point, missing after the restore", missingBeforePoint, "messages", Goal.AtMost(0, "0"));
        report.Add("delivery", "accepted after the restore point, in the database", afterPoint.Count(restored.ContainsKey), "messages",
            note: $"of {afterPoint.Count}; those accepted between the restore point and the destruction were only in the lost WAL segment");
        var duplicates = restored.Values.Sum(n => n - 1);
        report.Add("delivery", "duplicates in the database", duplicates, "messages", Goal.AtMost(0, "0"));
        report.Check(NoneMissingBeforeBackupEnd, missingBeforeBackup == 0, $"{beforeBackupEnd.Count - missingBeforeBackup}/{beforeBackupEnd.Count} restored");
        report.Check(NoneMissingBeforeRestorePoint, missingBeforePoint == 0, $"{beforeRestorePoint.Count - missingBeforePoint}/{beforeRestorePoint.Count} restored");
        report.Check(NoDuplicates, duplicates == 0, $"{duplicates} extra copies");
    }

    /// <summary>Polls the session list until every session is connected; how many were, and when all were.</summary>
    private static async Task<(int Connected, DateTimeOffset? AllAt)> WaitAllConnectedAsync(Client.GatewayApi api, IReadOnlyCollection<string> ids, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var connected = await SessionWatch.WaitAllConnectedAsync(api, ids, TimeSpan.Zero, cancellation);
            if (connected == ids.Count) return (connected, DateTimeOffset.UtcNow);
            if (clock.Elapsed > timeout) return (connected, null);
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
        }
    }
}
