using Npgsql;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Benchmarks.Target;

/// <summary>
/// The product started by the tool, as separate processes on loopback: a PostgreSQL server of its own (with
/// PostgreSQL's default durability, so throughput counts only what is on disk), silos and a gateway. The
/// scenarios use it to break things: kill -9 a silo, start it again, restart PostgreSQL.
/// </summary>
public sealed partial class LocalCluster : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly TestCluster _cluster;
    private readonly IReadOnlyDictionary<string, string> _siloSettings;

    public string Description { get; }
    public Uri GatewayUrl => _cluster.GatewayUrl;
    public string AdminKey => _cluster.AdminKey;

    private LocalCluster(PostgresServer postgres, TestCluster cluster, IReadOnlyDictionary<string, string> siloSettings, string description)
    {
        _postgres = postgres;
        _cluster = cluster;
        _siloSettings = siloSettings;
        Description = description;
    }

    public static async Task<LocalCluster> StartAsync(int silos, IReadOnlyDictionary<string, string> siloSettings, bool shortTimings, Action<string> progress)
    {
        progress("starting PostgreSQL");
        var postgres = await Task.Run(() => PostgresServer.StartNew(durable: true, statementStatistics: true));
        try
        {
            progress($"starting {silos} silo(s) and the gateway");
            var cluster = await TestCluster.StartAsync(silos, siloSettings.ToDictionary(), postgres: postgres, shortTimings: shortTimings);
            var version = await cluster.QueryScalarAsync<string>("SHOW server_version");
            return new LocalCluster(postgres, cluster, siloSettings,
                $"started by the tool on loopback: PostgreSQL {version} (default durability) + {silos} silo(s) + gateway, " +
                (shortTimings ? "test timings (fast failure detection)" : "the product's default timings"));
        }
        catch
        {
            postgres.Dispose();
            throw;
        }
    }

    public IReadOnlyCollection<int> SiloIndexes => _cluster.Silos.Keys.ToList();

    public int? SiloIndexOf(string siloAddress) => _cluster.SiloIndexOf(siloAddress);

    /// <summary>kill -9: the silo gets no chance to leave the cluster or hand anything over.</summary>
    public void KillSilo(int index) => _cluster.KillSilo(index);

    /// <summary>Starts silo <paramref name="index"/> again with the settings it had (on new ports, as a new silo).</summary>
    public Task RestartSiloAsync(int index) => _cluster.StartSiloAsync(index, _siloSettings.ToDictionary());

    public Task StopPostgresAsync() => Task.Run(_postgres.Stop);

    public Task StartPostgresAsync() => Task.Run(_postgres.Start);

    /// <summary>
    /// When each of these sessions was last connected on a silo other than <paramref name="deadSilo"/> after
    /// <paramref name="since"/>, as the session registry recorded it (PostgreSQL's clock, the same machine's).
    /// Read from the database, so neither the gateway's own recovery nor the reading wakes a session up.
    /// </summary>
    public async Task<Dictionary<string, DateTimeOffset>> ConnectedElsewhereSinceAsync(IReadOnlyCollection<string> sessionIds, string deadSilo, DateTimeOffset since)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT session_id, updated_at FROM sessions
            WHERE session_id = ANY(@ids) AND status = 'connected' AND host_silo <> @dead AND updated_at > @since
            """, connection);
        command.Parameters.AddWithValue("ids", sessionIds.ToArray());
        command.Parameters.AddWithValue("dead", deadSilo);
        command.Parameters.AddWithValue("since", since);
        await using var reader = await command.ExecuteReaderAsync();
        var connected = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) connected[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return connected;
    }

    /// <summary>The recent output of every process, for a run that went wrong.</summary>
    public string Diagnostics() => _cluster.Diagnostics();

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _postgres.Dispose();
    }
}
