namespace OrleansSaas.Contracts.Tenants;

/// <summary>A customer account; key: tenant id.</summary>
[Alias("tenant")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant; creating an existing tenant returns it unchanged.</summary>
    [Alias("create")]
    Task<TenantView> Create(string name);

    [Alias("get")]
    Task<TenantView?> Get();

    /// <summary>Issues a new API key. The returned plain key is never stored and cannot be read again.</summary>
    [Alias("issue-key")]
    Task<IssuedApiKey> IssueApiKey();
}

/// <summary>One API key; key: the key id embedded in the plain key. Holds only a hash of the secret.</summary>
[Alias("api-key")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    [Alias("register")]
    Task Register(string tenantId, byte[] secretHash);

    /// <summary>The tenant the key belongs to, or null when the secret does not match or the key is unknown.</summary>
    [Alias("authenticate")]
    Task<string?> Authenticate(byte[] secretHash);
}

[GenerateSerializer, Immutable, Alias("tenant-view")]
public sealed record TenantView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("issued-api-key")]
public sealed record IssuedApiKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Key);
