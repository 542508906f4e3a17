using System.Text.RegularExpressions;

namespace OrleansSaas.Contracts.Messaging;

/// <summary>
/// A peer is a phone number in E.164 form or, on networks that have them, a business-scoped user id: a
/// two-letter country code, a dot and up to 128 letters and digits (US.13491208655302741918), or a parent
/// id with ENT (US.ENT.11815799212886844830). Stored and sent back exactly as received.
/// </summary>
public static partial class PeerId
{
    public static bool IsUserId(string? peer) => peer is not null && UserId().IsMatch(peer);

    [GeneratedRegex(@"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}\z")]
    private static partial Regex UserId();
}
