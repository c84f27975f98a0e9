using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Consumers;
using KeyRotation.Core.Protocol;
using KeyRotation.Core.Reencryption;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Core.Tests.Reencryption;

/// <summary>ReEncrypt of one stored ciphertext: the exact request, the source key checked against the alias's generations, and what is kept.</summary>
public sealed class CiphertextReencryptorTests
{
    private const string Alias = "alias/orders";
    private readonly KmsMock _kms = new(new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero)));
    private readonly MockCiphertexts _ciphertexts;
    private readonly KeyMetadata _first;
    private readonly KeyMetadata _current;

    public CiphertextReencryptorTests()
    {
        _ciphertexts = new MockCiphertexts(_kms);
        // Generation 1 (created before this tool, untagged) and generation 2, which the alias points at now.
        _first = _kms.AddKey("alias/orders-old-name");
        _kms.Aliases.Remove("alias/orders-old-name");
        _current = _kms.AddKey(Alias, tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = Alias,
            [RotationTags.PreviousKey] = _first.KeyId,
            [RotationTags.Generation] = "2",
        });
    }

    private static ReencryptionContexts Same(IReadOnlyDictionary<string, string> context) => new(context, context);

    private async Task<ReencryptionResult> ReencryptAsync(byte[] ciphertext, ReencryptionContexts? contexts = null, bool dryRun = false, ReencryptionSource? source = null)
    {
        var snapshot = await AliasSnapshot.ReadAsync(_kms.Object, CancellationToken.None);
        var target = await ReencryptionTarget.ReadAsync(_kms.Object, Alias, snapshot, CancellationToken.None);
        using var unpaced = ConsumerRequestPacer.Unpaced();
        return await new CiphertextReencryptor(_kms.Object, target, unpaced, source).ReencryptAsync(ciphertext, contexts ?? ReencryptionContexts.None, dryRun, CancellationToken.None);
    }

    [Fact]
    public async Task ReencryptAsync_CiphertextOfAnEarlierGeneration_IsReEncryptedUnderTheCurrentKeyArn()
    {
        var stored = _ciphertexts.Encrypt(_first.KeyId, "data key 1");

        var result = await ReencryptAsync(stored);

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
        var (request, sent) = Assert.Single(_ciphertexts.Requests);
        Assert.Equal(stored, sent);
        Assert.Equal(_current.Arn, request.DestinationKeyId);
        Assert.Null(request.SourceKeyId);
        Assert.Null(request.SourceEncryptionContext);
        Assert.Null(request.DestinationEncryptionContext);
        Assert.Null(request.DryRun);
        Assert.Equal((_current.KeyId, "data key 1"), (MockCiphertexts.Read(result.Ciphertext!).KeyId, MockCiphertexts.Read(result.Ciphertext!).Plaintext));
        Assert.Equal(_first.Arn, result.SourceKeyArn);
        Assert.Equal($"re-encrypted from key {_first.KeyId} (generation 1) to {_current.KeyId}.", result.Reason);
    }

    [Fact]
    public async Task ReencryptAsync_NamedSourceAndAlgorithm_AreSentAsSourceKeyIdAndBothAlgorithms()
    {
        var stored = _ciphertexts.Encrypt(_first.KeyId, "data key 1");

        var result = await ReencryptAsync(stored, source: new ReencryptionSource(_first.Arn, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256));

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
        var request = Assert.Single(_ciphertexts.Requests).Request;
        Assert.Equal((_first.Arn, _current.Arn), (request.SourceKeyId, request.DestinationKeyId));
        Assert.Equal((EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256), (request.SourceEncryptionAlgorithm, request.DestinationEncryptionAlgorithm));
    }

    [Fact]
    public async Task ReencryptAsync_IncorrectKeyForTheNamedSource_SaysThatSourceKeyIdNamesAnotherKey()
    {
        _kms.FailNext["ReEncrypt"] = new IncorrectKeyException("The key ID in the request does not identify a KMS key that can perform this operation.");

        var result = await ReencryptAsync(_ciphertexts.Encrypt(_first.KeyId, "data key 1"), source: new ReencryptionSource(_current.Arn, null));

        Assert.Equal(ReencryptionOutcome.Failed, result.Outcome);
        Assert.EndsWith("It was encrypted under another key than --source-key-id names.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReencryptAsync_EncryptionContext_IsSentAsSourceAndDestinationContext()
    {
        var context = new Dictionary<string, string> { ["tenant"] = "acme", ["purpose"] = "orders" };
        var stored = _ciphertexts.Encrypt(_first.KeyId, "data key 1", context);

        var result = await ReencryptAsync(stored, Same(context));

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
        var request = Assert.Single(_ciphertexts.Requests).Request;
        Assert.Equal(context, request.SourceEncryptionContext);
        Assert.Equal(context, request.DestinationEncryptionContext);
        Assert.Equal(context, MockCiphertexts.Read(result.Ciphertext!).Context);
    }

    [Fact]
    public async Task ReencryptAsync_WrongEncryptionContext_FailsWithWhatInvalidCiphertextMeans()
    {
        var stored = _ciphertexts.Encrypt(_first.KeyId, "data key 1", new Dictionary<string, string> { ["tenant"] = "acme" });

        var result = await ReencryptAsync(stored, Same(new Dictionary<string, string> { ["tenant"] = "other" }));

        Assert.Equal(ReencryptionOutcome.Failed, result.Outcome);
        Assert.Null(result.Ciphertext);
        Assert.StartsWith("InvalidCiphertextException: KMS cannot decrypt it", result.Reason, StringComparison.Ordinal);
        Assert.Contains("--encryption-context", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReencryptAsync_CiphertextAlreadyUnderTheCurrentKeyAndMaterial_IsSkippedAndKeptAsItWas()
    {
        var stored = _ciphertexts.Encrypt(_current.KeyId, "data key 2");

        var result = await ReencryptAsync(stored);

        Assert.Equal(ReencryptionOutcome.Skipped, result.Outcome);
        Assert.Same(stored, result.Ciphertext);
        Assert.Equal($"already under the current key {_current.KeyId} and its current key material.", result.Reason);
    }

    [Fact]
    public async Task ReencryptAsync_CurrentKeyUnderAnOlderMaterial_IsReEncryptedToTheNewestMaterial()
    {
        var stored = _ciphertexts.Encrypt(_current.KeyId, "data key 2");
        _ciphertexts.Materials[_current.KeyId] = "material-2";

        var result = await ReencryptAsync(stored);

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
        Assert.Equal("material-2", MockCiphertexts.Read(result.Ciphertext!).Material);
        Assert.Contains("older key material of the current key", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReencryptAsync_CurrentKeyWithANewDestinationContext_IsReEncrypted()
    {
        var stored = _ciphertexts.Encrypt(_current.KeyId, "data key 2");
        var context = new Dictionary<string, string> { ["tenant"] = "acme" };

        var result = await ReencryptAsync(stored, new ReencryptionContexts(new Dictionary<string, string>(), context));

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
        Assert.Equal(context, MockCiphertexts.Read(result.Ciphertext!).Context);
    }

    [Fact]
    public async Task ReencryptAsync_CiphertextUnderAnotherAliasesKey_IsRefusedNamingTheKeyAndItsAlias()
    {
        var other = _kms.AddKey("alias/billing");
        var stored = _ciphertexts.Encrypt(other.KeyId, "billing data key");

        var result = await ReencryptAsync(stored);

        Assert.Equal(ReencryptionOutcome.Failed, result.Outcome);
        Assert.Null(result.Ciphertext);
        Assert.Equal($"it is under key {other.Arn} (a key of alias/billing), which is not a generation of {Alias}.", result.Reason);
    }

    [Fact]
    public async Task ReencryptAsync_RolledBackGenerationOffTheChain_IsAGenerationByItsAliasTag()
    {
        var rolledBack = _kms.AddKey("alias/tmp", tags: new Dictionary<string, string> { [RotationTags.Alias] = Alias, [RotationTags.RolledBackAt] = "2026-11-01T00:00:00Z" });
        _kms.Aliases.Remove("alias/tmp");

        var result = await ReencryptAsync(_ciphertexts.Encrypt(rolledBack.KeyId, "data key 3"));

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
        Assert.Equal($"re-encrypted from key {rolledBack.KeyId} to {_current.KeyId}.", result.Reason);
    }

    [Fact]
    public async Task ReencryptAsync_KeyTheAliasesMarkerPointsAt_IsAGeneration()
    {
        var marked = _kms.AddKey(MarkerNames.Marker(Alias, 7));

        var result = await ReencryptAsync(_ciphertexts.Encrypt(marked.KeyId, "data key 4"));

        Assert.Equal(ReencryptionOutcome.ReEncrypted, result.Outcome);
    }

    [Fact]
    public async Task ReencryptAsync_DryRun_SendsDryRunAndProducesNothing()
    {
        var result = await ReencryptAsync(_ciphertexts.Encrypt(_first.KeyId, "data key 1"), dryRun: true);

        Assert.Equal(ReencryptionOutcome.Planned, result.Outcome);
        Assert.Null(result.Ciphertext);
        Assert.True(Assert.Single(_ciphertexts.Requests).Request.DryRun);
    }

    [Fact]
    public async Task ReencryptAsync_SourceKeyDisabled_FailsSayingWhatToDo()
    {
        var stored = _ciphertexts.Encrypt(_first.KeyId, "data key 1");
        _first.KeyState = KeyState.Disabled;

        var result = await ReencryptAsync(stored);

        Assert.Equal(ReencryptionOutcome.Failed, result.Outcome);
        Assert.Equal($"DisabledException: {_first.Arn} is disabled. The key it was encrypted under is not usable now (disabled or pending deletion): enable it, or cancel its deletion, and run again.", result.Reason);
    }

    [Fact]
    public async Task ReencryptAsync_NotACiphertext_FailsAsInvalidCiphertext()
    {
        var result = await ReencryptAsync("hello"u8.ToArray());

        Assert.Equal(ReencryptionOutcome.Failed, result.Outcome);
        Assert.StartsWith("InvalidCiphertextException: KMS cannot decrypt it: it is not a KMS ciphertext", result.Reason, StringComparison.Ordinal);
    }
}
