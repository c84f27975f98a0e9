using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary>
/// <c>keyrotation reencrypt</c> for an RSA ENCRYPT_DECRYPT alias against LocalKms: the rotation keeps the key spec, RSA
/// ciphertexts do not name their key, so --source-key-id (a generation of the alias) and --encryption-algorithm are
/// required and sent as SourceKeyId and both algorithms; refusals name the option and change nothing.
/// </summary>
public sealed class ReencryptRsaTests : IDisposable
{
    private const string Alias = "alias/signing-secrets";
    private const string Sha256 = "RSAES_OAEP_SHA_256";
    private readonly CliHarness _cli = new();
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"reencrypt-rsa-{Guid.NewGuid():N}");

    public ReencryptRsaTests() => Directory.CreateDirectory(_scratch);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private async Task<byte[]> EncryptAsync(string keyId, string plaintext, string algorithm = Sha256) =>
        (await _cli.Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(plaintext)), EncryptionAlgorithm = EncryptionAlgorithmSpec.FindValue(algorithm) })).CiphertextBlob.ToArray();

    private async Task<string> DecryptAsync(string keyId, byte[] ciphertext, string algorithm = Sha256) =>
        Encoding.UTF8.GetString((await _cli.Kms.DecryptAsync(new DecryptRequest { KeyId = keyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = EncryptionAlgorithmSpec.FindValue(algorithm) })).Plaintext.ToArray());

    private async Task<string> ArnOfAsync(string keyId) => (await _cli.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Arn;

    private Task<CliRun> RunWithStdinAsync(string stdin, params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time, KmsClient = () => _cli.Kms, Stdin = new StringReader(stdin) }, args);

    private IEnumerable<LocalKms.LocalKmsRecordedRequest> ReEncrypts => _cli.Service.RecordedRequests.Where(r => r.Operation == "ReEncrypt");

    private async Task<(string Old, string Current)> RotatedRsaAliasAsync()
    {
        var old = await _cli.CreateAliasAsync(Alias, KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT);
        var current = await _cli.RotateAsync(Alias);
        Assert.Equal(KeySpec.RSA_2048, (await _cli.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = current })).KeyMetadata.KeySpec);
        return (old, current);
    }

    [Fact]
    public async Task Reencrypt_RsaFilesOfTheOldGeneration_DecryptToTheSamePlaintextUnderTheCurrentKey()
    {
        var old = await _cli.CreateAliasAsync(Alias, KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT);
        var input = Path.Combine(_scratch, "a.bin");
        File.WriteAllBytes(input, await EncryptAsync(old, "data key a"));
        var current = await _cli.RotateAsync(Alias);
        _cli.Service.ClearRecordedRequests();

        var run = await _cli.RunAsync("reencrypt", Alias, input, "--source-key-id", old, "--encryption-algorithm", Sha256, "--output-dir", Path.Combine(_scratch, "out"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"Re-encryption to {Alias} ({current}): 1 re-encrypted, 0 skipped (already current), 0 failed.\n", run.Stderr);
        Assert.Equal("data key a", await DecryptAsync(current, File.ReadAllBytes(Path.Combine(_scratch, "out/a.bin"))));
        var request = Assert.Single(ReEncrypts).Body;
        Assert.Contains($"\"SourceKeyId\":\"{await ArnOfAsync(old)}\"", request, StringComparison.Ordinal);
        Assert.Contains($"\"SourceEncryptionAlgorithm\":\"{Sha256}\"", request, StringComparison.Ordinal);
        Assert.Contains($"\"DestinationEncryptionAlgorithm\":\"{Sha256}\"", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_RsaCiphertextOfTheCurrentKey_NamedAsSource_IsSkippedAndKept()
    {
        var (_, current) = await RotatedRsaAliasAsync();
        var stored = await EncryptAsync(current, "already current", "RSAES_OAEP_SHA_1");

        var run = await RunWithStdinAsync(Convert.ToBase64String(stored) + "\n", "reencrypt", Alias, "--source-key-id", await ArnOfAsync(current), "--encryption-algorithm", "RSAES_OAEP_SHA_1", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var result = run.Json().GetProperty("results")[0];
        Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
        Assert.Equal($"already under the current key {current}.", result.GetProperty("reason").GetString());
        Assert.Equal(stored, Convert.FromBase64String(result.GetProperty("ciphertext").GetString()!));
    }

    [Fact]
    public async Task Reencrypt_RsaWithTheWrongAlgorithm_FailsNamingTheInputAndTheOption()
    {
        var (old, _) = await RotatedRsaAliasAsync();
        var stored = await EncryptAsync(old, "data key", Sha256);

        var run = await RunWithStdinAsync(Convert.ToBase64String(stored) + "\n", "reencrypt", Alias, "--source-key-id", old, "--encryption-algorithm", "RSAES_OAEP_SHA_1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("\n", run.Stdout);
        Assert.StartsWith("keyrotation reencrypt: stdin line 1: InvalidCiphertextException: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"KMS cannot decrypt it with {old} and RSAES_OAEP_SHA_1: it is not a ciphertext of that key, it was encrypted with another algorithm than --encryption-algorithm gives, or it is damaged.", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("source", "--source-key-id is required for alias/signing-secrets: its current key CURRENT is RSA_2048, and RSA ciphertexts do not name the key that encrypted them; give the generation they are under ('keyrotation status alias/signing-secrets' lists them).")]
    [InlineData("algorithm", "--encryption-algorithm is required for alias/signing-secrets: its current key CURRENT is RSA_2048; give the algorithm the ciphertexts were encrypted with (RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256).")]
    [InlineData("unknown algorithm", "--encryption-algorithm: 'rsaes_oaep_sha_256' is not an RSA encryption algorithm KMS offers for RSA_2048; use RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 (names are case-sensitive).")]
    [InlineData("context", "--encryption-context and --destination-encryption-context apply to symmetric keys only: alias/signing-secrets's current key CURRENT is RSA_2048, and KMS binds no encryption context to RSA ciphertexts.")]
    [InlineData("missing key", "--source-key-id: alias/nope does not exist in this account and Region.")]
    public async Task Reencrypt_RsaAliasWithBadKeyOptions_ExitsTwoNamingTheOptionBeforeAnyReEncrypt(string wrong, string message)
    {
        var (old, current) = await RotatedRsaAliasAsync();
        string[] args = wrong switch
        {
            "source" => ["--encryption-algorithm", Sha256],
            "algorithm" => ["--source-key-id", old],
            "unknown algorithm" => ["--source-key-id", old, "--encryption-algorithm", "rsaes_oaep_sha_256"],
            "context" => ["--source-key-id", old, "--encryption-algorithm", Sha256, "--encryption-context", "tenant=acme"],
            _ => ["--source-key-id", "alias/nope", "--encryption-algorithm", Sha256],
        };

        var run = await RunWithStdinAsync(Convert.ToBase64String(await EncryptAsync(old, "data key")) + "\n", ["reencrypt", Alias, .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyrotation reencrypt: {message.Replace("CURRENT", current, StringComparison.Ordinal)}\n", run.Stderr);
        Assert.Empty(ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_SourceKeyOfAnotherAlias_ExitsTwoNamingTheKeyAndItsAlias()
    {
        await RotatedRsaAliasAsync();
        var billing = await _cli.CreateAliasAsync("alias/billing", KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT);

        var run = await RunWithStdinAsync(Convert.ToBase64String(await EncryptAsync(billing, "billing key")) + "\n", "reencrypt", Alias, "--source-key-id", "alias/billing", "--encryption-algorithm", Sha256);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyrotation reencrypt: --source-key-id: alias/billing is key {billing} (a key of alias/billing), which is not a generation of {Alias}; reencrypt moves ciphertexts between the alias's own generations only ('keyrotation status {Alias}' lists them).\n", run.Stderr);
        Assert.Empty(ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_EncryptionAlgorithmForASymmetricAlias_ExitsTwoNamingTheOption()
    {
        var key = await _cli.CreateAliasAsync("alias/orders");

        var run = await RunWithStdinAsync("AAAA\n", "reencrypt", "alias/orders", "--encryption-algorithm", Sha256);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyrotation reencrypt: --encryption-algorithm applies to RSA keys only: alias/orders's current key {key} is SYMMETRIC_DEFAULT, whose ciphertexts KMS reads with SYMMETRIC_DEFAULT; leave the option out.\n", run.Stderr);
        Assert.Empty(ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_SymmetricAliasWithItsOldGenerationAsSource_SendsItAsSourceKeyId()
    {
        var old = await _cli.CreateAliasAsync("alias/orders");
        var stored = (await _cli.Kms.EncryptAsync(new EncryptRequest { KeyId = old, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("data key")) })).CiphertextBlob.ToArray();
        await _cli.RotateAsync("alias/orders");
        _cli.Service.ClearRecordedRequests();

        var run = await RunWithStdinAsync(Convert.ToBase64String(stored) + "\n", "reencrypt", "alias/orders", "--source-key-id", old);

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(ReEncrypts).Body;
        Assert.Contains($"\"SourceKeyId\":\"{await ArnOfAsync(old)}\"", request, StringComparison.Ordinal);
        Assert.DoesNotContain("EncryptionAlgorithm", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_SigningKeyAlias_ExitsTwoNamingTheAliasAndItsKeySpec()
    {
        var key = await _cli.CreateAliasAsync("alias/signer", KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY);

        var run = await RunWithStdinAsync("AAAA\n", "reencrypt", "alias/signer");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyrotation reencrypt: alias/signer's current key {key} is ECC_NIST_P256 for SIGN_VERIFY: reencrypt works with encryption keys (SYMMETRIC_DEFAULT, or RSA_2048, RSA_3072 or RSA_4096, for ENCRYPT_DECRYPT) only.\n", run.Stderr);
        Assert.Empty(ReEncrypts);
    }
}
