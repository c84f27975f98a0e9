using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Hooks;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's pre-move hook demonstration (docs/hooks.md): an alias whose key's keyrotation:pre-move-hook tag names
/// <see cref="TestedHookArn"/>, answered in process by <see cref="SandboxHookFunctions"/>. The hook refuses the first
/// test of each new key (the alias stays on its old key, the rotation is Failed with the hook's reason) and accepts the
/// next, so the next run moves the alias to the same new key. It is not one of the demo aliases the rotating commands
/// default to: name it (<c>rotate alias/demo/tested --sandbox --yes</c>).
/// </summary>
internal sealed partial class Sandbox
{
    /// <summary>The alias whose rotations the sandbox's pre-move hook tests.</summary>
    public const string Tested = "alias/demo/tested";

    /// <summary>The hook the tag names; nothing is invoked in AWS, <see cref="Hooks"/> answers in its place.</summary>
    public const string TestedHookArn = "arn:aws:lambda:us-east-1:111122223333:function:sandbox-consumer-check";

    /// <summary>What the hook answers the first time it is asked about a new key.</summary>
    public const string TestedRefusal = "sandbox: the consumer role could not decrypt with the new key";

    /// <summary>The sandbox's hook functions (in process, in place of Lambda Invoke).</summary>
    public IHookFunctions Hooks => new SandboxHookFunctions(Kms);

    private static async Task SeedHooksAsync(AmazonKeyManagementServiceClient kms, CancellationToken ct) =>
        await CreateAliasedKeyAsync(kms, Tested, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: a pre-move hook tests the new key", KeyRecordTags.PreMoveHook(TestedHookArn), ct);
}

/// <summary>
/// Answers the sandbox's pre-move hook: the first test of a new key is refused, and remembered by a tag on that new key
/// (so the answer survives between commands, in the sandbox's state file); the next test of the same key is accepted.
/// Post-move invocations are accepted and ignored.
/// </summary>
internal sealed class SandboxHookFunctions(IAmazonKeyManagementService kms) : IHookFunctions
{
    /// <summary>On a new key the hook refused once: its own key id (a copy inherited by a later key names another key).</summary>
    internal const string RefusedTag = "sandbox:pre-move-hook-refused";

    public async Task<HookAnswer> InvokeAsync(MoveHookArn hook, string payload, HookInvocation invocation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (invocation == HookInvocation.Event)
        {
            return new HookAnswer(string.Empty);
        }

        using var document = System.Text.Json.JsonDocument.Parse(payload);
        var newKeyArn = document.RootElement.GetProperty("newKeyArn").GetString()
            ?? throw new HookInvocationException("The payload names no newKeyArn.");
        var newKey = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = newKeyArn }, ct)).KeyMetadata.KeyId;
        var tags = await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = newKey }, ct);
        if ((tags.Tags ?? []).Any(t => t.TagKey == RefusedTag && t.TagValue == newKey))
        {
            return new HookAnswer("{\"ok\":true}", LogTail: $"sandbox: decrypted with {newKey} through the consumer role");
        }

        await kms.TagResourceAsync(new TagResourceRequest { KeyId = newKey, Tags = [new Tag { TagKey = RefusedTag, TagValue = newKey }] }, ct);
        return new HookAnswer(System.Text.Json.JsonSerializer.Serialize(new { ok = false, reason = Sandbox.TestedRefusal }));
    }
}
