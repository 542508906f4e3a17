using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>
/// A whole product instance for a test: its own database on the shared PostgreSQL server, silos and a
/// gateway as real processes on loopback, with timings shortened so failures are detected in seconds.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Dictionary<int, ManagedProcess> _silos = new();
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..17];
    private readonly string _credentialKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"orleanssaas-demo-key-{Guid.NewGuid():N}");
    private ManagedProcess? _gateway;
    private readonly List<ManagedProcess> _extraGateways = [];

    public string ConnectionString { get; }
    public Uri GatewayUrl { get; private set; } = null!;
    public string ApiKey { get; private set; } = "";
    /// <summary>The gateway's Admin:ApiKey, for the /v1/admin routes.</summary>
    public string AdminKey { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    public IReadOnlyDictionary<int, ManagedProcess> Silos => _silos;
    /// <summary>Each silo's HTTP base address (health endpoints), by silo index.</summary>
    public Dictionary<int, Uri> SiloHealthUrls { get; } = new();

    private TestCluster(string connectionString) => ConnectionString = connectionString;

    public static async Task<TestCluster> StartAsync(int silos = 1, IDictionary<string, string>? settings = null, IDictionary<string, string>? gatewaySettings = null)
    {
        var cluster = new TestCluster(await PostgresServer.Instance.CreateDatabaseAsync("cluster"));
        try
        {
            for (var i = 1; i <= silos; i++) await cluster.StartSiloAsync(i, settings);
            await cluster.StartGatewayAsync(gatewaySettings);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<ManagedProcess> StartSiloAsync(int index, IDictionary<string, string>? settings = null)
    {
        var environment = CommonEnvironment();
        environment["Silo__SiloPort"] = PostgresServer.FreePort().ToString();
        environment["Silo__GatewayPort"] = PostgresServer.FreePort().ToString();
        var httpPort = PostgresServer.FreePort();
        environment["Silo__HttpPort"] = httpPort.ToString();
        environment["Security__CredentialKey"] = _credentialKey;
        // Detect a dead silo within a few seconds; production defaults are in silo/appsettings.json.
        environment["Membership__ProbeTimeout"] = "00:00:01";
        environment["Membership__NumMissedProbesLimit"] = "2";
        environment["Membership__NumVotesForDeathDeclaration"] = "1";
        environment["Failover__SweepInterval"] = "00:00:02";
        environment["Sessions__RetryDelay"] = "00:00:00.250";
        environment["Simulator__ReadDelay"] = "00:00:00.200";
        environment["Simulator__RedeliveryInterval"] = "00:00:00.250";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var silo = await ManagedProcess.StartAsync($"silo{index}", Artifacts.SiloDll, environment, "Silo is active", StartTimeout);
        _silos[index] = silo;
        SiloHealthUrls[index] = new Uri($"http://127.0.0.1:{httpPort}");
        return silo;
    }

    public async Task StartGatewayAsync(IDictionary<string, string>? settings = null)
    {
        var port = PostgresServer.FreePort();
        var environment = CommonEnvironment();
        environment["Urls"] = $"http://127.0.0.1:{port}";
        environment["Demo__Enabled"] = "true";
        environment["Demo__KeyFile"] = _keyFile;
        environment["Simulator__DevEndpoints"] = "true";
        environment["Admin__ApiKey"] = AdminKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        _gateway = await ManagedProcess.StartAsync("gateway", Artifacts.GatewayDll, environment, "Gateway is ready", StartTimeout);
        GatewayUrl = new Uri($"http://127.0.0.1:{port}");
        ApiKey = (await File.ReadAllTextAsync(_keyFile)).Trim();
    }

    /// <summary>Another gateway on the same cluster (same demo key); stopped with the cluster.</summary>
    public async Task<Uri> StartExtraGatewayAsync(IDictionary<string, string>? settings = null)
    {
        var port = PostgresServer.FreePort();
        var environment = CommonEnvironment();
        environment["Urls"] = $"http://127.0.0.1:{port}";
        environment["Admin__ApiKey"] = AdminKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        _extraGateways.Add(await ManagedProcess.StartAsync($"gateway{_extraGateways.Count + 2}", Artifacts.GatewayDll, environment, "Gateway is ready", StartTimeout));
        return new Uri($"http://127.0.0.1:{port}");
    }

    public async Task StopGatewayAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        _gateway = null;
    }

    public async Task StopSiloAsync(int index)
    {
        if (_silos.Remove(index, out var silo)) await silo.DisposeAsync();
    }

    /// <summary>SIGTERM, waiting for the silo to finish its graceful shutdown (which may move its sessions away) before killing it.</summary>
    public async Task StopSiloGracefullyAsync(int index, TimeSpan timeout)
    {
        if (!_silos.Remove(index, out var silo)) return;
        await silo.StopAsync(timeout);
        await silo.DisposeAsync();
    }

    /// <summary>The index of the silo with this address (as GET /v1/admin/silos and session placements show it).</summary>
    public int SiloIndexOf(string address) => _silos.Single(s => s.Value.OutputContains($"Silo is active: {address}")).Key;

    public void KillSilo(int index)
    {
        if (_silos.Remove(index, out var silo)) silo.Kill();
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey ?? ApiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    /// <summary>A new tenant, made through the admin API, and a client with a new key of its own (every scope unless some are given).</summary>
    public async Task<(string TenantId, HttpClient Client)> CreateTenantClientAsync(params string[] scopes)
    {
        using var admin = CreateAdminClient();
        var tenant = await (await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "test tenant" })).ReadJsonAsync(System.Net.HttpStatusCode.Created);
        var tenantId = (string)tenant["id"]!;
        object keyRequest = scopes.Length == 0 ? new { } : new { scopes };
        var key = await (await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", keyRequest)).ReadJsonAsync(System.Net.HttpStatusCode.Created);
        return (tenantId, CreateClient((string)key["key"]!));
    }

    public async Task<T?> QueryScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>Logs of every process, for failure messages.</summary>
    public string Diagnostics() =>
        string.Join("\n\n", _silos.Values.Append(_gateway).OfType<ManagedProcess>().Select(p => $"===== {p.Name} =====\n{p.Output()}"));

    private Dictionary<string, string> CommonEnvironment() => new()
    {
        // Tests share one demo key and fire requests back to back; QuotaTests sets its own low limits.
        ["RateLimits__RequestsPerSecondPerKey"] = "1000000",
        ["RateLimits__Burst"] = "1000000",
        ["ConnectionStrings__Postgres"] = ConnectionString,
        ["Silo__ClusterId"] = _clusterId,
        ["Cluster__ClusterId"] = _clusterId,
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Logging__LogLevel__Default"] = "Information",
    };

    public async ValueTask DisposeAsync()
    {
        await StopGatewayAsync();
        await Task.WhenAll(_extraGateways.Select(g => g.DisposeAsync().AsTask()));
        await Task.WhenAll(_silos.Values.Select(s => s.DisposeAsync().AsTask()));
        _silos.Clear();
        try { File.Delete(_keyFile); } catch { }
    }
}
