using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>What the material-rotation tests read from KMS through the real SDK client: rotations, current material, ciphertexts.</summary>
internal static class MaterialWorld
{
    public const string Scheduled = """{"trigger":"schedule","scheduledTime":"2026-12-31T03:00:00Z"}""";

    public static void UseStrategy(this RotationWorld world, string strategy, int? reserve = null)
    {
        world.Environment[SettingNames.RotationStrategy] = strategy;
        if (reserve is { } r)
        {
            world.Environment[SettingNames.RotationMaterialReserve] = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The key's on-demand rotations, as ListKeyRotations lists them.</summary>
    public static async Task<List<RotationsListEntry>> OnDemandRotationsAsync(this RotationWorld world, string keyId)
    {
        var rotations = await world.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        return [.. (rotations.Rotations ?? []).Where(r => r.RotationType == RotationType.ON_DEMAND)];
    }

    public static async Task<string> CurrentMaterialAsync(this RotationWorld world, string keyId) =>
        (await world.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;

    public static async Task<MemoryStream> EncryptAsync(this RotationWorld world, string alias, string text) =>
        (await world.Client.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(text)) })).CiphertextBlob;

    public static async Task<string> DecryptAsync(this RotationWorld world, MemoryStream ciphertext) =>
        Encoding.UTF8.GetString((await world.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext.ToArray()) })).Plaintext.ToArray());

    /// <summary>Rotates the key on demand <paramref name="times"/> times directly (an operator's earlier rotations).</summary>
    public static async Task RotateByHandAsync(this RotationWorld world, string keyId, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await world.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        }
    }

    private static int runs;

    /// <summary>
    /// Runs the engine as the function composes it in Lambda: RotateKeyOnDemand (like CreateKey) through a client
    /// without the SDK's retries; polls without waiting (the fake clock does not move by itself).
    /// </summary>
    public static async Task<AliasRotationResult> RunEngineAsync(this RotationWorld world, string alias, RotationStrategy strategy, int reserve = 2, DateTimeOffset? deadline = null)
    {
        using var noRetries = world.Kms.CreateClient(config => config.MaxErrorRetry = 0);
        var options = new RotationOptions { Strategy = strategy, MaterialReserve = reserve, MaterialRotationPollDelay = TimeSpan.Zero };
        var engine = RotationComposition.Engine(world.Client, world.Notifier, options, world.Time, NullRotationLog.Instance, createKeyClient: noRetries, keyFinder: world.KeyFinder);
        // A run id of its own per run, as every invocation has: a repeated id is a repeated delivery, which rotates nothing.
        var report = await engine.RunAsync(new RotationRequest { RotationId = $"rot-material-{Interlocked.Increment(ref runs)}", Aliases = [alias], Deadline = deadline }, CancellationToken.None);
        return Assert.Single(report.Results);
    }

    public static Task TagStrategyAsync(this RotationWorld world, string keyId, string strategy) =>
        world.Client.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = RotationTags.Strategy, TagValue = strategy }] });
}
