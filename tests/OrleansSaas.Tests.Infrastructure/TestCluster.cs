using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>
/// A whole product instance for a test or a benchmark: its own database (on the shared PostgreSQL server
/// unless given another), silos and a gateway as real processes on loopback; unless asked for the
/// product's own timings, failures are detected in seconds.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Detect a dead silo within a few seconds and retry quickly; production defaults are in silo/appsettings.json. The in-process cluster applies the same.</summary>
    public static readonly IReadOnlyDictionary<string, string> ShortTimings = new Dictionary<string, string>
    {
        ["Membership__ProbeTimeout"] = "00:00:01",
        ["Membership__NumMissedProbesLimit"] = "2",
        ["Membership__NumVotesForDeathDeclaration"] = "1",
        ["Failover__SweepInterval"] = "00:00:02",
        ["Sessions__RetryDelay"] = "00:00:00.250",
        ["Simulator__ReadDelay"] = "00:00:00.200",
        ["Simulator__RedeliveryInterval"] = "00:00:00.250",
    };

    /// <summary>
    /// Lets tenant-aimed requests (webhook receivers, media links) reach loopback, which the product refuses by default:
    /// for silos and gateways of tests whose receivers run on this machine.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LoopbackReceivers = new Dictionary<string, string>
    {
        ["Outbound__AllowedNetworks__0"] = "127.0.0.0/8",
        ["Outbound__AllowedNetworks__1"] = "::1/128",
    };

    /// <summary><paramref name="settings"/> with <see cref="LoopbackReceivers"/> added.</summary>
    public static Dictionary<string, string> AllowingLoopback(IEnumerable<KeyValuePair<string, string>>? settings = null) =>
        new((settings ?? []).Concat(LoopbackReceivers));

    // No load balancer to tell in tests: a stopping gateway stops at once.
    private const string GatewayNotReadyDelay = "00:00:00";

    private readonly Dictionary<int, ManagedProcess> _silos = new();
    private readonly bool _shortTimings;
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..17];
    private readonly string _credentialKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"orleanssaas-demo-key-{Guid.NewGuid():N}");
    private ManagedProcess? _gateway;
    private readonly List<ManagedProcess> _extraGateways = [];
    // How each gateway was started (0: the main one, then the extra ones), so a restart brings it back on the same address.
    private readonly List<Dictionary<string, string>> _gatewayEnvironments = [];

    public string ConnectionString { get; }
    public Uri GatewayUrl { get; private set; } = null!;
    public string ApiKey { get; private set; } = "";
    /// <summary>The gateway's Admin:ApiKey, for the /v1/admin routes.</summary>
    public string AdminKey { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    public IReadOnlyDictionary<int, ManagedProcess> Silos => _silos;
    /// <summary>Gateways started by <see cref="StartExtraGatewayAsync"/>, in order.</summary>
    public IReadOnlyList<ManagedProcess> ExtraGateways => _extraGateways;
    /// <summary>Each silo's HTTP base address (health endpoints), by silo index.</summary>
    public Dictionary<int, Uri> SiloHealthUrls { get; } = new();

    private TestCluster(string connectionString, bool shortTimings)
    {
        ConnectionString = connectionString;
        _shortTimings = shortTimings;
    }

    /// <param name="postgres">The server for the cluster's database; the shared one when null.</param>
    /// <param name="shortTimings">Apply <see cref="ShortTimings"/> to every silo; false runs with the product's defaults.</param>
    public static async Task<TestCluster> StartAsync(int silos = 1, IDictionary<string, string>? settings = null, IDictionary<string, string>? gatewaySettings = null,
        IDatabaseServer? postgres = null, bool shortTimings = true)
    {
        postgres ??= PostgresServer.Instance;
        var cluster = new TestCluster(await postgres.CreateDatabaseAsync("cluster"), shortTimings);
        try
        {
            // The first silo migrates the schema; the others may then join together.
            await cluster.StartSiloAsync(1, settings);
            await Task.WhenAll(Enumerable.Range(2, Math.Max(0, silos - 1)).Select(i => cluster.StartSiloAsync(i, settings)));
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
        // A free port can be taken by a parallel test between choosing it and binding it: choose again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartSiloOnFreePortsAsync(index, settings);
            }
            catch (InvalidOperationException error) when (attempt < 3 && error.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private async Task<ManagedProcess> StartSiloOnFreePortsAsync(int index, IDictionary<string, string>? settings)
    {
        var environment = CommonEnvironment();
        environment["Silo__SiloPort"] = PostgresServer.FreePort().ToString();
        environment["Silo__GatewayPort"] = PostgresServer.FreePort().ToString();
        var httpPort = PostgresServer.FreePort();
        environment["Silo__HttpPort"] = httpPort.ToString();
        environment["Security__CredentialKey"] = _credentialKey;
        if (_shortTimings) foreach (var (key, value) in ShortTimings) environment[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var silo = await ManagedProcess.StartAsync($"silo{index}", Artifacts.SiloDll, environment, "Silo is active", StartTimeout);
        lock (_silos)
        {
            _silos[index] = silo;
            SiloHealthUrls[index] = new Uri($"http://127.0.0.1:{httpPort}");
        }
        return silo;
    }

    /// <summary>The index of the running silo with this address (as the admin API and session placement name it).</summary>
    public int? SiloIndexOf(string siloAddress) =>
        _silos.Where(s => s.Value.ReadyLine?.Contains($"Silo is active: {siloAddress} ", StringComparison.Ordinal) == true).Select(s => (int?)s.Key).FirstOrDefault();

    /// <param name="port">The port to listen on (a gateway started again keeps its address); a free one when null.</param>
    public async Task StartGatewayAsync(IDictionary<string, string>? settings = null, int? port = null)
    {
        port ??= PostgresServer.FreePort();
        var environment = CommonEnvironment();
        environment["Urls"] = $"http://127.0.0.1:{port}";
        environment["Demo__Enabled"] = "true";
        environment["Demo__KeyFile"] = _keyFile;
        environment["Simulator__DevEndpoints"] = "true";
        environment["Admin__ApiKey"] = AdminKey;
        if (_shortTimings) environment["Shutdown__NotReadyDelay"] = GatewayNotReadyDelay;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        _gateway = await ManagedProcess.StartAsync("gateway", Artifacts.GatewayDll, environment, "Gateway is ready", StartTimeout);
        _gatewayEnvironments.Insert(0, environment);
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
        if (_shortTimings) environment["Shutdown__NotReadyDelay"] = GatewayNotReadyDelay;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        _extraGateways.Add(await ManagedProcess.StartAsync($"gateway{_extraGateways.Count + 2}", Artifacts.GatewayDll, environment, "Gateway is ready", StartTimeout));
        _gatewayEnvironments.Add(environment);
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>
    /// SIGTERM to gateway <paramref name="index"/> (0: the main one, then the extra ones in order), waiting for its
    /// graceful shutdown, then the same gateway again on the same address.
    /// </summary>
    public async Task RestartGatewayGracefullyAsync(int index, TimeSpan timeout)
    {
        var old = index == 0 ? _gateway! : _extraGateways[index - 1];
        await old.StopAsync(timeout);
        await old.DisposeAsync();
        var started = await ManagedProcess.StartAsync(old.Name, Artifacts.GatewayDll, _gatewayEnvironments[index], "Gateway is ready", StartTimeout);
        if (index == 0) _gateway = started;
        else _extraGateways[index - 1] = started;
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

    public void KillSilo(int index)
    {
        if (_silos.Remove(index, out var silo)) silo.Kill();
    }

    /// <summary>kill -9 of the silo's process only, as a crash does; what it started is left to die on its own.</summary>
    public void KillSiloAlone(int index)
    {
        if (_silos.Remove(index, out var silo)) silo.KillAlone();
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
        var tenantId = (string)(await CreatedAsync(await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "test tenant" })))["id"]!;
        object keyRequest = scopes.Length == 0 ? new { } : new { scopes };
        var key = await CreatedAsync(await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", keyRequest));
        return (tenantId, CreateClient((string)key["key"]!));
    }

    private static async Task<JsonNode> CreatedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri?.PathAndQuery}: expected 201, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
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

    /// <summary>Every silo and gateway process currently running.</summary>
    public IEnumerable<ManagedProcess> Processes => _silos.Values.Append(_gateway).Concat(_extraGateways).OfType<ManagedProcess>();

    /// <summary>Logs of every process, for failure messages.</summary>
    public string Diagnostics() =>
        string.Join("\n\n", _silos.Values.Append(_gateway).OfType<ManagedProcess>().Select(p => $"===== {p.Name} =====\n{p.Output()}"));

    private Dictionary<string, string> CommonEnvironment() => new()
    {
        // Tests share one demo key and fire requests back to back; QuotaTests sets its own low limits.
        ["RateLimits__RequestsPerSecondPerKey"] = "1000000",
        ["RateLimits__Burst"] = "1000000",
        // Tests present wrong keys on purpose; FailedAuthenticationThrottleTests sets the product's back-off on a gateway of its own.
        ["RateLimits__FailedAuthBurst"] = "1000000",
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
