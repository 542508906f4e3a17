using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Gateway.Tenants;

public sealed class DemoTenantOptions
{
    public const string Section = "Demo";
    public const string TenantId = "demo";

    /// <summary>The largest plan an operator can give: the demo tenant runs demos, tests and load tests, which its limits must not shape.</summary>
    public static readonly TenantPlan Plan = new(
        TenantAdminValidation.MaxSessionsLimit, TenantAdminValidation.MessagesPerMinuteLimit, TenantAdminValidation.MediaStorageBytesLimit);

    /// <summary>Create the demo tenant at start-up and write a key for it to <see cref="KeyFile"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the demo key is kept (outside the repository's tracked files); a new key is issued when the file is missing.</summary>
    public string KeyFile { get; set; } = ".data/demo-api-key";
}
