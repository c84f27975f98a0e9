using System.Security.Cryptography;

namespace KeyRotation.LocalKms;

/// <summary>
/// Key pairs a request will need, generated before the service takes its state lock so slow RSA
/// generation does not block other callers. Whatever the operation does not take is disposed.
/// </summary>
internal sealed class PregeneratedKeys : IDisposable
{
    private AsymmetricAlgorithm? _keyPair;
    private readonly string? _keyPairSpec;
    private RSA? _wrappingKey;
    private readonly string? _wrappingKeySpec;

    public PregeneratedKeys(KmsRequest request, string operation)
    {
        if (operation == "CreateKey" && (SafeString(request, "Origin") ?? "AWS_KMS") == "AWS_KMS")
        {
            _keyPairSpec = SafeString(request, "KeySpec") ?? SafeString(request, "CustomerMasterKeySpec");
            _keyPair = _keyPairSpec is null ? null : LocalKmsService.CreateKeyPair(_keyPairSpec);
        }
        else if (operation == "GetParametersForImport")
        {
            _wrappingKeySpec = SafeString(request, "WrappingKeySpec");
            _wrappingKey = _wrappingKeySpec switch
            {
                "RSA_2048" => RSA.Create(2048),
                "RSA_3072" => RSA.Create(3072),
                "RSA_4096" => RSA.Create(4096),
                _ => null,
            };
        }
    }

    public AsymmetricAlgorithm? TakeKeyPair(string keySpec)
    {
        var pair = keySpec == _keyPairSpec ? _keyPair : null;
        _keyPair = null;
        return pair ?? LocalKmsService.CreateKeyPair(keySpec);
    }

    public RSA TakeWrappingKey(string wrappingKeySpec)
    {
        var key = wrappingKeySpec == _wrappingKeySpec ? _wrappingKey : null;
        _wrappingKey = null;
        return key ?? throw KmsErrorException.Validation($"Unsupported WrappingKeySpec {wrappingKeySpec}.");
    }

    public void Dispose()
    {
        _keyPair?.Dispose();
        _wrappingKey?.Dispose();
    }

    private static string? SafeString(KmsRequest request, string name)
    {
        try
        {
            return request.String(name);
        }
        catch (KmsErrorException)
        {
            return null; // the operation itself reports the bad field
        }
    }
}
