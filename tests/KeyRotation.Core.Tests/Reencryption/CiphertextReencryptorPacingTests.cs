using KeyRotation.Core.Consumers;
using KeyRotation.Core.Protocol;
using KeyRotation.Core.Reencryption;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Core.Tests.Reencryption;

/// <summary>
/// ReEncrypt is paced at <see cref="ConsumerRequestRates"/>' kms:ReEncrypt rate on the pacer's clock: it shares the
/// account's cryptographic-operations quota with the applications' own Encrypt and Decrypt calls.
/// </summary>
public sealed class CiphertextReencryptorPacingTests
{
    private const string Alias = "alias/orders";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly KmsMock _kms;
    private readonly MockCiphertexts _ciphertexts;
    private readonly string _first;

    public CiphertextReencryptorPacingTests()
    {
        _kms = new KmsMock(_time);
        _ciphertexts = new MockCiphertexts(_kms);
        _first = _kms.AddKey("alias/orders-old-name").KeyId;
        _kms.Aliases.Remove("alias/orders-old-name");
        _kms.AddKey(Alias, tags: new Dictionary<string, string> { [RotationTags.Alias] = Alias, [RotationTags.PreviousKey] = _first, [RotationTags.Generation] = "2" });
    }

    private async Task<CiphertextReencryptor> ReencryptorAsync(ConsumerRequestPacer pacer)
    {
        var snapshot = await AliasSnapshot.ReadAsync(_kms.Object, CancellationToken.None);
        return new CiphertextReencryptor(_kms.Object, await ReencryptionTarget.ReadAsync(_kms.Object, Alias, snapshot, CancellationToken.None), pacer);
    }

    [Fact]
    public void Defaults_PaceReEncryptWellUnderKmsSharedCryptographicQuotas()
    {
        // KMS's smallest shared quotas that ReEncrypt counts against: 10,000/s (symmetric) and 500/s (RSA).
        Assert.InRange(ConsumerRequestRates.Defaults["kms:ReEncrypt"], 1, 500 / 5);
    }

    [Fact]
    public async Task ReencryptAsync_MoreThanOneRefillsShare_LeavesOnlyAsTheClockRefillsTheBucket()
    {
        // 50 a second: 5 tokens every 100 ms.
        using var pacer = new ConsumerRequestPacer(ConsumerRequestRates.Defaults, _time);
        var reencryptor = await ReencryptorAsync(pacer);

        // One after the other, as the command runs them: each starts when the one before has its answer.
        var runs = new List<Task<ReencryptionResult>>();
        foreach (var i in Enumerable.Range(1, 11))
        {
            runs.Add(AfterAsync(runs.LastOrDefault(), reencryptor, _ciphertexts.Encrypt(_first, $"data key {i}")));
        }

        var sentAtOnce = _ciphertexts.Requests.Count;
        _time.Advance(TimeSpan.FromMilliseconds(99));
        var sentBeforeTheRefill = _ciphertexts.Requests.Count;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(runs.Take(10));
        var sentAfterOneRefill = _ciphertexts.Requests.Count;
        var eleventhWaited = !runs[10].IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var results = await Task.WhenAll(runs);

        Assert.Equal((5, 5, 10, true), (sentAtOnce, sentBeforeTheRefill, sentAfterOneRefill, eleventhWaited));
        Assert.Equal(11, _ciphertexts.Requests.Count);
        Assert.All(results, r => Assert.Equal(ReencryptionOutcome.ReEncrypted, r.Outcome));
    }

    private static async Task<ReencryptionResult> AfterAsync(Task? previous, CiphertextReencryptor reencryptor, byte[] ciphertext)
    {
        if (previous is not null)
        {
            await previous;
        }

        return await reencryptor.ReencryptAsync(ciphertext, ReencryptionContexts.None, dryRun: false, CancellationToken.None);
    }

    [Fact]
    public async Task ReencryptAsync_DryRun_IsPacedToo()
    {
        using var pacer = new ConsumerRequestPacer(new Dictionary<string, double>(StringComparer.Ordinal) { ["kms:ReEncrypt"] = 2 }, _time);
        var reencryptor = await ReencryptorAsync(pacer);
        var stored = _ciphertexts.Encrypt(_first, "data key");

        await reencryptor.ReencryptAsync(stored, ReencryptionContexts.None, dryRun: true, CancellationToken.None);
        var second = reencryptor.ReencryptAsync(stored, ReencryptionContexts.None, dryRun: true, CancellationToken.None);
        var waited = (!second.IsCompleted, _ciphertexts.Requests.Count);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await second;

        Assert.Equal((true, 1), waited);
        Assert.Equal(2, _ciphertexts.Requests.Count);
    }
}
