using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Outbound;

/// <summary>
/// The one check for every request a tenant can aim. <see cref="CheckUrl"/> and <see cref="CheckUrlAsync"/> let the
/// API refuse a URL with a reason for its field; <see cref="CreateHandler"/> enforces the rule where it matters, on
/// the address actually connected to after DNS, so no spelling, DNS name, rebinding or redirect gets around it.
/// </summary>
public sealed class OutboundGuard(IOptions<OutboundOptions> options)
{
    public const string RefusedReason = "must point to a public address (loopback, private, link-local and other internal addresses are refused).";

    private readonly IPNetwork[] _allowed = options.Value.AllowedNetworks.Select(n => IPNetwork.Parse(n)).ToArray();

    /// <summary>True when a tenant-aimed request may connect to <paramref name="address"/>.</summary>
    public bool MayConnect(IPAddress address)
    {
        var canonical = AddressRules.Canonical(address);
        return !AddressRules.IsInternal(canonical) || _allowed.Any(n => n.Contains(canonical) || n.Contains(address));
    }

    /// <summary>
    /// The form of a URL (absolute http/https, no control characters raw or percent-encoded) and, for an address
    /// literal in any spelling or a name that is local by definition (localhost), its address. Null when it passes.
    /// </summary>
    public string? CheckUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            return "must be an absolute http or https URL.";
        if (url.Any(char.IsControl) || HasEncodedControl(url)) return "must not contain control characters (such as CR or LF), encoded or not.";
        var addresses = LocalAddresses(uri);
        return addresses is not null && !addresses.All(MayConnect) ? RefusedReason : null;
    }

    /// <summary><see cref="CheckUrl"/>, and the addresses a host name resolves to now (the connection checks again).</summary>
    public async Task<string?> CheckUrlAsync(string url, CancellationToken cancellationToken = default)
    {
        if (CheckUrl(url) is { } problem) return problem;
        var uri = new Uri(url);
        if (LocalAddresses(uri) is not null) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ResolveTimeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, timeout.Token);
            return addresses.All(MayConnect) ? null : RefusedReason;
        }
        catch (Exception error) when (error is SocketException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null; // not resolvable now: it may be later, and then the connection is checked
        }
    }

    /// <summary>
    /// A handler for tenant-aimed requests: it resolves the host itself, refuses (with <see cref="OutboundRefusedException"/>)
    /// when any address is refused, and connects only to the checked addresses. No proxy (it would connect for us,
    /// unchecked) and no redirects (a receiver answers at its own URL).
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectCallback = ConnectAsync,
    };

    /// <summary>True when <paramref name="error"/> (from a request through <see cref="CreateHandler"/>) is the guard's refusal.</summary>
    public static bool IsRefusal(Exception error) =>
        error is OutboundRefusedException || error.InnerException is { } inner && IsRefusal(inner);

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        // A name with one internal address among public ones is refused whole: the resolver's order must not decide.
        if (addresses.Length == 0 || !addresses.All(MayConnect)) throw new OutboundRefusedException(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses of a host known without DNS: an address literal (any spelling the parser accepts) or localhost; null for other names.</summary>
    private static IPAddress[]? LocalAddresses(Uri uri)
    {
        var host = uri.Host.Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(host, out var address)) return [address];
        // RFC 6761: localhost and its subdomains are the loopback, whatever a resolver says.
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        return null;
    }

    private static bool HasEncodedControl(string url)
    {
        for (var i = url.IndexOf('%'); i >= 0 && i + 2 < url.Length; i = url.IndexOf('%', i + 1))
            if (int.TryParse(url.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var value) && (value < 0x20 || value == 0x7f))
                return true;
        return false;
    }
}
