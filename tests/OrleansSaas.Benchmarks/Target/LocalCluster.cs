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
    private readonly ReplicatedPostgres? _replicated;
    private readonly TestCluster _cluster;
    private readonly IReadOnlyDictionary<string, string> _siloSettings;

    public string Description { get; }
    public Uri GatewayUrl => _cluster.GatewayUrl;
    /// <summary>Every gateway the tool started, the main one first; they serve the same cluster.</summary>
    public IReadOnlyList<Uri> GatewayUrls { get; private set; } = [];
    public string AdminKey => _cluster.AdminKey;

    private LocalCluster(PostgresServer postgres, ReplicatedPostgres? replicated, TestCluster cluster, IReadOnlyDictionary<string, string> siloSettings, string description)
    {
        _postgres = postgres;
        _replicated = replicated;
        _cluster = cluster;
        _siloSettings = siloSettings;
        Description = description;
    }

    public static async Task<LocalCluster> StartAsync(int silos, IReadOnlyDictionary<string, string> siloSettings, bool shortTimings, Action<string> progress,
        DatabaseTopology database = DatabaseTopology.Single, int gateways = 1)
    {
        // The webhook scenarios' receivers run on loopback.
        siloSettings = TestCluster.AllowingLoopback(siloSettings);
        progress(database == DatabaseTopology.PrimaryAndStandby ? "starting PostgreSQL: a primary and a synchronous standby" : "starting PostgreSQL");
        var (postgres, replicated) = await StartDatabaseAsync(database);
        try
        {
            progress($"starting {silos} silo(s) and {(gateways == 1 ? "the gateway" : $"{gateways} gateways")}");
            var cluster = await TestCluster.StartAsync(silos, siloSettings.ToDictionary(), TestCluster.AllowingLoopback(), postgres: (IDatabaseServer?)replicated ?? postgres, shortTimings: shortTimings);
            var urls = new List<Uri> { cluster.GatewayUrl };
            for (var i = 1; i < gateways; i++) urls.Add(await cluster.StartExtraGatewayAsync(TestCluster.AllowingLoopback()));
            var version = await cluster.QueryScalarAsync<string>("SHOW server_version");
            return new LocalCluster(postgres, replicated, cluster, siloSettings,
                $"started by the tool on loopback: PostgreSQL {version} (default durability{Describe(database)}) + {silos} silo(s) + {(gateways == 1 ? "gateway" : $"{gateways} gateways")}, " +
                (shortTimings ? "test timings (fast failure detection)" : "the product's default timings"))
            { GatewayUrls = urls };
        }
        catch
        {
            if (replicated is not null) replicated.Dispose();
            else postgres.Dispose();
            throw;
        }
    }

    public IReadOnlyCollection<int> SiloIndexes => _cluster.Silos.Keys.ToList();

    public int? SiloIndexOf(string siloAddress) => _cluster.SiloIndexOf(siloAddress);

    /// <summary>kill -9: the silo gets no chance to leave the cluster or hand anything over.</summary>
    public void KillSilo(int index) => _cluster.KillSilo(index);

    /// <summary>Starts silo <paramref name="index"/> again with the settings it had (on new ports, as a new silo).</summary>
    public Task RestartSiloAsync(int index) => _cluster.StartSiloAsync(index, _siloSettings.ToDictionary());

    /// <summary>SIGTERM to the silo, waiting for its graceful shutdown (which hands its sessions over) up to <paramref name="timeout"/>.</summary>
    public Task StopSiloGracefullyAsync(int index, TimeSpan timeout) => _cluster.StopSiloGracefullyAsync(index, timeout);

    /// <summary>SIGTERM to gateway <paramref name="index"/> (0-based, as in <see cref="GatewayUrls"/>), then the same gateway again on its address.</summary>
    public Task RestartGatewayGracefullyAsync(int index, TimeSpan timeout) => _cluster.RestartGatewayGracefullyAsync(index, timeout);

    /// <summary>The addresses of the silos running now, as the registry names them.</summary>
    public IReadOnlySet<string> RunningSiloAddresses() =>
        _cluster.Silos.Values.Select(s => s.ReadyLine is { } line && line.IndexOf("Silo is active: ", StringComparison.Ordinal) is var at and >= 0
                ? line[(at + "Silo is active: ".Length)..].Split(' ')[0] : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>Each session's status and host silo as the session registry has them now.</summary>
    public async Task<Dictionary<string, (string Status, string? Host)>> SessionHostsAsync(IReadOnlyCollection<string> sessionIds)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT session_id, status, host_silo FROM sessions WHERE session_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", sessionIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var hosts = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) hosts[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return hosts;
    }

    public Task StopPostgresAsync() => Task.Run(_postgres.Stop);

    public Task StartPostgresAsync() => Task.Run(() => _postgres.Start());

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

    /// <summary>
    /// Whether membership has declared the silo with this address dead yet, read from Orleans' membership table
    /// (status 6 is <c>SiloStatus.Dead</c>): the failure-detection share of a failover.
    /// </summary>
    public async Task<bool> IsDeclaredDeadAsync(string siloAddress)
    {
        // The registry names a silo "127.0.0.1:PORT@GENERATION".
        var at = siloAddress.LastIndexOf('@');
        var colon = siloAddress.LastIndexOf(':', at < 0 ? siloAddress.Length - 1 : at);
        if (at < 0 || colon < 0 || !int.TryParse(siloAddress[(colon + 1)..at], out var port)) return false;
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM orleans_membership WHERE port = @port AND status = 6)", connection);
        command.Parameters.AddWithValue("port", port);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Lines of the running silos' output that contain this text, by silo index (e.g. what failover logged).</summary>
    public IEnumerable<(int Silo, string Line)> SiloLogLines(string containing) =>
        _cluster.Silos.SelectMany(s => s.Value.LinesContaining(containing).Select(line => (s.Key, line)));

    /// <summary>The recent output of every process, for a run that went wrong.</summary>
    public string Diagnostics() => _cluster.Diagnostics();

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        if (_replicated is not null) _replicated.Dispose();
        else _postgres.Dispose();
    }
}
