using System.Net;
using System.Net.Sockets;

namespace OrleansSaas.Outbound;

/// <summary>
/// Which addresses a tenant-aimed request must not reach: everything that is not a public unicast address
/// (loopback, private, link-local with the cloud metadata services, unique-local, multicast, unspecified,
/// and the reserved and documentation ranges). IPv4 written inside IPv6 (mapped, compatible, NAT64, 6to4)
/// is judged by the IPv4 address it carries.
/// </summary>
public static class AddressRules
{
    private static readonly IPNetwork[] RefusedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", incl. the unspecified 0.0.0.0
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, incl. 169.254.169.254 (cloud metadata)
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),     // documentation
        IPNetwork.Parse("192.88.99.0/24"),   // 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),  // documentation
        IPNetwork.Parse("203.0.113.0/24"),   // documentation
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, incl. broadcast 255.255.255.255
    ];

    private static readonly IPNetwork[] RefusedV6 =
    [
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("100::/64"),         // discard
        IPNetwork.Parse("2001:db8::/32"),    // documentation
        IPNetwork.Parse("2001::/32"),        // Teredo: tunnels to an address we cannot see
        IPNetwork.Parse("fc00::/7"),         // unique-local, incl. fd00:ec2::254 (cloud metadata)
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>True for an address that is not public unicast.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return RefusedV4.Any(n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return true;
        if (address.IsIPv4MappedToIPv6) return IsInternal(address.MapToIPv4());
        if (RefusedV6.Any(n => n.Contains(address))) return true;
        var bytes = address.GetAddressBytes();
        if (Compatible.Contains(address) || Nat64.Contains(address)) return IsInternal(new IPAddress(bytes[12..16]));
        if (SixToFour.Contains(address)) return IsInternal(new IPAddress(bytes[2..6]));
        return false;
    }

    /// <summary>The address in the form its family is judged in (IPv4 for an IPv4-mapped IPv6 address), so allow-lists written in IPv4 apply.</summary>
    public static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
