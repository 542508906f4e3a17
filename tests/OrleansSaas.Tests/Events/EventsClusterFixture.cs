using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Events;

/// <summary>A cluster whose webhook retries run in fractions of a second, so retry tests finish quickly.</summary>
public sealed class EventsClusterFixture : IAsyncLifetime
{
    /// <summary>Silo settings: quick retries, and the receivers (on loopback) reachable.</summary>
    public static readonly Dictionary<string, string> FastRetries = TestCluster.AllowingLoopback(new Dictionary<string, string>
    {
        ["Webhooks__InitialBackoff"] = "00:00:00.100",
        ["Webhooks__MaxBackoff"] = "00:00:00.400",
        ["Webhooks__SweepInterval"] = "00:00:00.500",
        ["Webhooks__OverdueGrace"] = "00:00:01",
    });

    private static int _nextPhone = Random.Shared.Next(0, 500) * 10;

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>A phone number no other test of the run uses (the simulated network is shared by all tenants).</summary>
    public static string NewPhone() => $"+1201557{Interlocked.Increment(ref _nextPhone) % 10000:D4}";

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(silos: 1, FastRetries, TestCluster.AllowingLoopback());

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class EventsClusterCollection : ICollectionFixture<EventsClusterFixture>
{
    public const string Name = "events cluster";
}
