using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Target;

/// <summary>The gateway a scenario talks to, with the keys it was given; one connection pool for all its clients.</summary>
public sealed class GatewayTarget(Uri url, string? adminKey, string? apiKey, string description, TimeSpan requestTimeout) : IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2) };

    public string Description { get; } = description;

    public Uri Url => url;

    /// <summary>A tenant key given on the command line (then no tenant is created for the run).</summary>
    public string? ApiKey { get; } = apiKey;

    public bool HasAdmin => adminKey is not null;

    public GatewayApi Tenant(string key) => new(Client("X-Api-Key", key));

    public AdminApi Admin() => new(Client("X-Admin-Key", adminKey ?? throw new InvalidOperationException("This needs the admin key (--admin-key).")));

    private HttpClient Client(string header, string key)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = url, Timeout = requestTimeout };
        client.DefaultRequestHeaders.Add(header, key);
        return client;
    }

    public void Dispose() => _handler.Dispose();
}
