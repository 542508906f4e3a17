using Npgsql;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Benchmarks.Target;

/// <summary>The PostgreSQL servers a <see cref="LocalCluster"/> runs on.</summary>
public enum DatabaseTopology
{
    /// <summary>One server.</summary>
    Single,
    /// <summary>A primary and a synchronous streaming standby; the product gets both hosts (failover-db).</summary>
    PrimaryAndStandby,
    /// <summary>One server archiving its WAL with ops/backup.sh's settings, for base backups and restores (recovery).</summary>
    Archived,
}

/// <summary>What the failover and recovery scenarios do to the database: kill it, promote the standby, back up, destroy, restore.</summary>
public sealed partial class LocalCluster
{
    private static async Task<(PostgresServer Primary, ReplicatedPostgres? Replicated)> StartDatabaseAsync(DatabaseTopology topology)
    {
        if (topology == DatabaseTopology.PrimaryAndStandby)
        {
            var pair = await ReplicatedPostgres.StartAsync();
            return (pair.Primary, pair);
        }
        var postgres = await Task.Run(() => PostgresServer.StartNew(durable: true, statementStatistics: true));
        if (topology == DatabaseTopology.Archived)
        {
            try
            {
                var settings = await BackupScript.RunAsync(postgres, "archive-settings");
                await Task.Run(() =>
                {
                    postgres.Stop();   // archive_mode takes effect at a start only
                    postgres.Configure(settings.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    postgres.Start();
                });
            }
            catch
            {
                postgres.Dispose();
                throw;
            }
        }
        return (postgres, null);
    }

    private static string Describe(DatabaseTopology topology) => topology switch
    {
        DatabaseTopology.PrimaryAndStandby => ", primary + synchronous standby",
        DatabaseTopology.Archived => ", WAL archived by ops/backup.sh's settings",
        _ => "",
    };

    private ReplicatedPostgres Replicated => _replicated ?? throw new InvalidOperationException("This cluster has no standby (DatabaseTopology.PrimaryAndStandby).");

    /// <summary>kill -9 of the primary PostgreSQL server and its backends.</summary>
    public Task KillPrimaryAsync() => Task.Run(Replicated.KillPrimary);

    /// <summary>pg_ctl promote on the standby: it becomes the primary the connection string finds.</summary>
    public Task PromoteStandbyAsync() => Task.Run(Replicated.PromoteStandby);

    /// <summary>ops/backup.sh now: a verified base backup; returns its name.</summary>
    public async Task<string> TakeBackupAsync() =>
        (await BackupScript.RunAsync(_postgres, "now")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];

    /// <summary>
    /// Closes the current WAL segment (pg_switch_wal, what archive_timeout does on a timer) and waits until the
    /// archive has it: everything committed before this call can be restored.
    /// </summary>
    public async Task<string> ArchiveNowAsync(TimeSpan timeout)
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_walfile_name(pg_switch_wal())", connection);
        var segment = (string)(await command.ExecuteScalarAsync())!;
        var archived = Path.Combine(BackupScript.Directory(_postgres), "wal", segment);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(archived))
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"WAL segment {segment} was not archived within {timeout.TotalSeconds:0} s.");
            await Task.Delay(100);
        }
        return segment;
    }

    /// <summary>The disaster: every silo and the gateway killed, PostgreSQL killed -9 and its data directory deleted.</summary>
    public async Task DestroyAsync()
    {
        foreach (var index in SiloIndexes) KillSilo(index);
        await _cluster.StopGatewayAsync();
        await Task.Run(() =>
        {
            _postgres.Kill();
            System.IO.Directory.Delete(_postgres.DataDirectory, recursive: true);
        });
    }

    /// <summary>ops/backup.sh restore into the emptied data directory, then PostgreSQL started on it (it returns once recovery is over).</summary>
    public async Task RestoreAsync()
    {
        await BackupScript.RunAsync(_postgres, "restore", _postgres.DataDirectory);
        await Task.Run(() => _postgres.Start(timeoutSeconds: 600));
        // The tool's own pooled connections still point at the killed server; the first use of one would fail.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Silos 1…<paramref name="silos"/> and the gateway started again (the gateway on its old address).</summary>
    public async Task StartAgainAsync(int silos)
    {
        await RestartSiloAsync(1);
        await Task.WhenAll(Enumerable.Range(2, silos - 1).Select(RestartSiloAsync));
        await _cluster.StartGatewayAsync(port: GatewayUrl.Port);
    }

    /// <summary>How many times each outbound text of a benchmark run is in the database (read directly: the audit of a restore).</summary>
    public async Task<Dictionary<string, int>> OutboundTextsAsync(string prefix)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT body, count(*) FROM messages WHERE direction = 'outbound' AND starts_with(body, @prefix) GROUP BY body", connection);
        command.Parameters.AddWithValue("prefix", prefix);
        await using var reader = await command.ExecuteReaderAsync();
        var texts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) texts[reader.GetString(0)[prefix.Length..]] = (int)reader.GetInt64(1);
        return texts;
    }
}
