using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSaas.Outbound;

namespace OrleansSaas.Tests.Outbound;

/// <summary>The guard itself: which URLs it refuses, and that a refused one is never connected to, whatever the spelling.</summary>
public sealed class OutboundGuardTests
{
    private static OutboundGuard Guard(params string[] allowed) => new(Options.Create(new OutboundOptions { AllowedNetworks = [.. allowed] }));

    /// <summary>Every refused address class, in the spellings an attacker would try.</summary>
    public static readonly string[] InternalHosts =
    [
        // loopback
        "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "localhost", "LocalHost.", "api.localhost", "[::1]",
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
        // unspecified
        "0.0.0.0", "0", "[::]",
        // private and shared
        "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.0.1", "100.64.0.1", "[::ffff:10.0.0.1]", "167772161",
        // link-local, with the cloud metadata services
        "169.254.169.254", "0xa9fea9fe", "[fe80::1]", "[fd00:ec2::254]",
        // unique-local
        "[fc00::1]", "[fd12:3456::1]",
        // multicast and broadcast
        "224.0.0.1", "239.255.255.250", "255.255.255.255", "[ff02::1]",
        // documentation and reserved
        "192.0.2.1", "198.51.100.7", "203.0.113.9", "240.0.0.1", "[2001:db8::1]",
    ];

    public static TheoryData<string> RefusedHosts
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var host in InternalHosts) data.Add(host);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RefusedHosts))]
    public async Task An_internal_address_in_any_spelling_is_refused(string host)
    {
        Assert.Equal(OutboundGuard.RefusedReason, await Guard().CheckUrlAsync($"http://{host}:8080/hook"));
        Assert.Equal(OutboundGuard.RefusedReason, await Guard().CheckUrlAsync($"https://{host}/hook"));
    }

    [Theory]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("http://8.8.8.8:8080/")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    [InlineData("https://hooks.example.com/a?b=c%20d")]
    public void A_public_address_or_name_passes(string url) => Assert.Null(Guard().CheckUrl(url));

    [Theory]
    [InlineData("ftp://example.com/file")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://example.com:70/_GET")]
    [InlineData("/relative/path")]
    [InlineData("https://example.com/a%0d%0aX-Injected:%20yes")]
    [InlineData("https://example.com/a%0AHost:%20other")]
    [InlineData("https://example.com/a%00")]
    [InlineData("https://example.com/a\r\nX: y")]
    public void Other_schemes_and_control_characters_encoded_or_not_are_refused(string url) => Assert.NotNull(Guard().CheckUrl(url));

    [Fact]
    public void The_allow_list_opens_only_the_networks_it_names()
    {
        var guard = Guard("127.0.0.0/8", "10.1.0.0/16");
        Assert.Null(guard.CheckUrl("http://127.0.0.1:9/"));
        Assert.Null(guard.CheckUrl("http://[::ffff:127.0.0.1]:9/"));
        Assert.Null(guard.CheckUrl("http://10.1.2.3/"));
        Assert.NotNull(guard.CheckUrl("http://10.2.0.1/"));
        Assert.NotNull(guard.CheckUrl("http://169.254.169.254/"));
        Assert.NotNull(guard.CheckUrl("http://[::1]/"));
    }

    [Fact]
    public void An_allow_list_entry_that_is_not_a_network_stops_the_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Outbound:AllowedNetworks:0"] = "loopback" }).Build();
        using var services = new ServiceCollection().AddOutboundGuard(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<OutboundOptions>>().Value);
        Assert.Contains("Outbound:AllowedNetworks", error.Message);
    }

    /// <summary>Spellings of the loopback a listener is on; each is resolved or parsed by the handler itself, then refused before any connection.</summary>
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("2130706433")]
    [InlineData("0x7f000001")]
    [InlineData("127.1")]
    public async Task A_receiver_on_a_refused_address_is_never_connected_to(string host)
    {
        using var receiver = new CountingListener(IPAddress.Loopback);
        using var refusing = new HttpClient(Guard().CreateHandler());
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetAsync($"http://{host}:{receiver.Port}/"));
        Assert.True(OutboundGuard.IsRefusal(error), error.ToString());

        // The same request with loopback allowed does connect: the listener counts what the guard stopped.
        using var allowing = new HttpClient(Guard("127.0.0.0/8").CreateHandler());
        Assert.Equal(HttpStatusCode.OK, (await allowing.GetAsync($"http://{host}:{receiver.Port}/")).StatusCode);
        Assert.Equal(1, receiver.Connections);
    }

    [Fact]
    public async Task A_redirect_to_a_refused_address_is_not_followed()
    {
        using var target = new CountingListener(IPAddress.Loopback);
        using var redirector = new CountingListener(IPAddress.Parse("127.0.0.2"), $"http://127.0.0.1:{target.Port}/");
        using var client = new HttpClient(Guard("127.0.0.2/32").CreateHandler());

        var response = await client.GetAsync($"http://127.0.0.2:{redirector.Port}/");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(1, redirector.Connections);
        Assert.Equal(0, target.Connections);
    }
}
