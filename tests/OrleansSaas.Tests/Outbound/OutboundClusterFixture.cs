using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Outbound;

/// <summary>
/// A cluster with the product's outbound and operator defaults, except: its silo advertises (and serves HTTP on) a
/// non-loopback address of this machine, so operator pages can be asked for on a non-operator address; its silo
/// allows 127.0.0.2 (a redirecting receiver lives there); and a second gateway allows loopback at the API, so that
/// URLs the silo must refuse reach the silo.
/// </summary>
public sealed class OutboundClusterFixture : IAsyncLifetime
{
    public const string RedirectorNetwork = "127.0.0.2/32";

    public TestCluster Cluster { get; private set; } = null!;
    /// <summary>This machine's non-loopback IPv4 address.</summary>
    public IPAddress PublicAddress { get; } = NonLoopbackAddress();
    /// <summary>The gateway that lets loopback URLs through its API (on loopback and on <see cref="PublicAddress"/>, same port).</summary>
    public int LenientGatewayPort { get; } = PostgresServer.FreePort();
    public Uri LenientGatewayUrl => new($"http://127.0.0.1:{LenientGatewayPort}");

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(silos: 1, new Dictionary<string, string>
        {
            ["Silo__AdvertisedAddress"] = PublicAddress.ToString(),
            ["Outbound__AllowedNetworks__0"] = RedirectorNetwork,
        });
        await Cluster.StartExtraGatewayAsync(TestCluster.AllowingLoopback(new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{LenientGatewayPort};http://{PublicAddress}:{LenientGatewayPort}",
        }));
    }

    /// <summary>A client of a new tenant of its own (so no other test's events reach its webhooks), on the lenient gateway.</summary>
    public async Task<HttpClient> CreateLenientTenantClientAsync()
    {
        var (_, tenant) = await Cluster.CreateTenantClientAsync();
        using (tenant)
        {
            var client = Cluster.CreateClient(tenant.DefaultRequestHeaders.GetValues("X-Api-Key").Single());
            client.BaseAddress = LenientGatewayUrl;
            return client;
        }
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static IPAddress NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("These tests need a non-loopback IPv4 address on this machine (none is up).");
}

[CollectionDefinition(Name)]
public sealed class OutboundClusterCollection : ICollectionFixture<OutboundClusterFixture>
{
    public const string Name = "outbound cluster";
}
