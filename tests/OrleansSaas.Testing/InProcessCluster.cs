using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TestingHost;
using HostingTestCluster = Orleans.TestingHost.TestCluster;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Data.Schema;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Testing;

/// <summary>
/// Several silos inside the test process (Microsoft.Orleans.TestingHost), each configured by the silo host's own
/// <see cref="Hosting.SiloRegistration.AddOrleansSaas"/>, on a fresh database of the shared throwaway PostgreSQL:
/// grain state, reminders, messages and events are real rows. Start one per test class (or per test when the test
/// stops or kills silos); a debugger steps straight into the grains. For kill -9 of a process, PostgreSQL
/// restarts and HTTP, use the process-based <see cref="Tests.Infrastructure.TestCluster"/>.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;

    private InProcessCluster(HostingTestCluster cluster, string connectionString)
    {
        Cluster = cluster;
        ConnectionString = connectionString;
        _db = NpgsqlDataSource.Create(connectionString);
        var commits = new GroupCommit(_db);
        Messages = new MessageStore(_db, commits);
        Events = new EventStore(_db, commits);
    }

    /// <summary>The TestingHost cluster, for anything the helpers here do not cover.</summary>
    public HostingTestCluster Cluster { get; }

    /// <summary>A cluster client, as the gateway has one.</summary>
    public IClusterClient Client => Cluster.Client;

    public IGrainFactory Grains => Cluster.Client;

    public string ConnectionString { get; }

    /// <summary>The app's message table, read as the gateway reads it.</summary>
    public MessageStore Messages { get; }

    /// <summary>The tenant event log, read as the gateway's events endpoints read it.</summary>
    public EventStore Events { get; }

    /// <summary>The silos running now.</summary>
    public IReadOnlyList<SiloHandle> Silos => Cluster.GetActiveSilos().ToList();

    /// <summary>
    /// Migrates a fresh database and starts <paramref name="silos"/> silos and a client. Configuration is the silo
    /// host's appsettings.json, the process-based tests' short failure-detection timings, then <paramref name="settings"/>
    /// (keys as in appsettings, e.g. "Sessions:MessagesPerSecond").
    /// </summary>
    public static async Task<InProcessCluster> StartAsync(int silos = 3, IDictionary<string, string>? settings = null, PostgresServer? postgres = null)
    {
        var connectionString = await (postgres ?? PostgresServer.Instance).CreateDatabaseAsync("inproc");
        // The ADO.NET providers read their SQL from the schema, as on the silo host.
        await new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance).MigrateAsync();

        var builder = new TestClusterBuilder((short)silos);
        // Clustering on PostgreSQL as in production: TestingHost's development membership lives on its first silo,
        // so killing that one would take the membership table with it.
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHostConfiguration(configuration => configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "silo.appsettings.json"), optional: false)
            .AddInMemoryCollection(Tests.Infrastructure.TestCluster.ShortTimings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), (string?)s.Value)))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = connectionString,
                ["Security:CredentialKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            })
            .AddInMemoryCollection((settings ?? new Dictionary<string, string>()).Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))));
        builder.AddSiloBuilderConfigurator<ProductSiloConfigurator>();
        builder.AddClientBuilderConfigurator<ProductClientConfigurator>();

        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        var started = new InProcessCluster(cluster, connectionString);
        await started.WaitForStableClusterAsync();
        return started;
    }

    /// <summary>One value from the cluster's database, for assertions on what is stored.</summary>
    public async Task<T?> QueryScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _db.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>Connected sessions per host silo, as the sessions table records them.</summary>
    public async Task<Dictionary<string, long>> ConnectedPerSiloAsync()
    {
        await using var command = _db.CreateCommand("SELECT host_silo, count(*) FROM sessions WHERE status = 'connected' GROUP BY host_silo");
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>The silo with this address (as <see cref="SessionPlacement.Silo"/> names it), if it is running.</summary>
    public SiloHandle? SiloAt(string siloAddress) => Silos.FirstOrDefault(s => s.SiloAddress.ToParsableString() == siloAddress);

    /// <summary>The running silo hosting the session now.</summary>
    public async Task<SiloHandle> HostOfAsync(string sessionKey)
    {
        var view = await Grains.GetGrain<ISessionGrain>(sessionKey).Get() ?? throw new InvalidOperationException($"Session {sessionKey} does not exist.");
        return SiloAt(view.Placement.Silo) ?? throw new InvalidOperationException($"Session {sessionKey} is placed on {view.Placement.Silo}, which is not running.");
    }

    /// <summary>The silo's own services (its options, stores, counters), for assertions about one silo.</summary>
    public IServiceProvider ServicesOf(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services;

    /// <summary>A crash: the silo stops at once, without its graceful shutdown (no drain); the others must declare it dead.</summary>
    public Task KillSiloAsync(SiloHandle silo) => Cluster.KillSiloAsync(silo);

    /// <summary>A graceful stop, as on SIGTERM: the silo moves its sessions away first (Cluster:DrainOnShutdown).</summary>
    public Task StopSiloAsync(SiloHandle silo) => Cluster.StopSiloAsync(silo);

    public async Task<SiloHandle> StartSiloAsync()
    {
        var silo = await Cluster.StartAdditionalSiloAsync();
        await WaitForStableClusterAsync();
        return silo;
    }

    /// <summary>
    /// Until every silo lists every other as active, knows its grain types and has reported its capacity, placement
    /// would choose among fewer silos than there are.
    /// </summary>
    public Task WaitForStableClusterAsync() => Eventually.Async(async () =>
        {
            var silos = Silos;
            var reported = (await Grains.GetGrain<Contracts.Cluster.ISessionPlacementGrain>(0).GetLoads()).Select(l => l.Silo).ToHashSet();
            return silos.All(silo =>
                reported.Contains(silo.SiloAddress.ToParsableString())
                && ServicesOf(silo).GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == silos.Count
                && ServicesOf(silo).GetRequiredService<IClusterManifestProvider>().Current.Silos.Count == silos.Count);
        }, stable => stable, TimeSpan.FromSeconds(60), "every silo to see the others and report its capacity");

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Killed, not stopped: a graceful stop would first drain each silo's sessions onto the others.
            await Task.WhenAll(Silos.Select(Cluster.KillSiloAsync));
        }
        finally
        {
            await Cluster.DisposeAsync();
            await _db.DisposeAsync();
        }
    }
}
