namespace OrleansSaas.Contracts.Sessions;

/// <summary>
/// A session grain is keyed by tenant and session id together, so a tenant can only ever
/// address its own sessions: another tenant's id resolves to a grain that does not exist.
/// </summary>
public static class SessionKey
{
    private const char Separator = '/';

    public static string Format(string tenantId, string sessionId) => $"{tenantId}{Separator}{sessionId}";

    public static (string TenantId, string SessionId) Parse(string key)
    {
        var at = key.IndexOf(Separator);
        if (at <= 0 || at == key.Length - 1)
            throw new FormatException($"'{key}' is not a session key.");
        return (key[..at], key[(at + 1)..]);
    }
}
