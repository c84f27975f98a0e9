using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's escrow: an RSA key pair it generates (the private key written where the operator can pass it to
/// reimport) and a stand-in for the escrow bucket, with the two S3 semantics escrow relies on: a write with
/// If-None-Match "*" never overwrites (412 PreconditionFailed), and a missing object answers 404 NoSuchKey. Objects
/// live in a directory next to the sandbox state file, or in memory when the sandbox is not kept.
/// </summary>
internal sealed class SandboxEscrow
{
    public const string Bucket = "sandbox-escrow";

    /// <summary>A sandbox that is not kept never reimports (its private key would be gone): one key pair per process does.</summary>
    private static readonly Lazy<string> UnkeptPublicKey = new(() =>
    {
        using var rsa = RSA.Create(EscrowPublicKey.MinimumKeySize);
        return rsa.ExportSubjectPublicKeyInfoPem();
    });

    private readonly string? _directory;
    private readonly ConcurrentDictionary<string, byte[]> _memory = new(StringComparer.Ordinal);

    private SandboxEscrow(string? directory, string publicKeyPem, string? privateKeyPath)
    {
        _directory = directory;
        PublicKeyPem = publicKeyPem;
        PrivateKeyPath = privateKeyPath;
        S3 = DispatchProxy.Create<IAmazonS3, BucketProxy>();
        ((BucketProxy)(object)S3).Escrow = this;
    }

    public EscrowLocation Location { get; } = new(Bucket, "keyrotation/");

    public string PublicKeyPem { get; }

    /// <summary>The escrow private key's PEM file; null when the sandbox is not kept (nothing to reimport later).</summary>
    public string? PrivateKeyPath { get; }

    /// <summary>The escrow bucket, as the importer and <c>reimport</c> use S3 (PutObject and GetObject only).</summary>
    public IAmazonS3 S3 { get; }

    /// <summary>The escrow of a kept sandbox (its directory holds the objects and the key pair), created on first use.</summary>
    public static SandboxEscrow Open(string? directory)
    {
        if (directory is null)
        {
            return new SandboxEscrow(null, UnkeptPublicKey.Value, null);
        }

        var privatePath = Path.Combine(directory, "escrow-private-key.pem");
        var publicPath = Path.Combine(directory, "escrow-public-key.pem");
        if (!File.Exists(privatePath) || !File.Exists(publicPath))
        {
            Directory.CreateDirectory(directory);
            using var rsa = RSA.Create(EscrowPublicKey.MinimumKeySize);
            File.WriteAllText(publicPath, rsa.ExportSubjectPublicKeyInfoPem());
            File.WriteAllText(privatePath, rsa.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return new SandboxEscrow(directory, File.ReadAllText(publicPath), privatePath);
    }

    /// <summary>Removes the directory (a reset starts with a new key pair and an empty bucket).</summary>
    public static void Delete(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string? PathOf(string key) => _directory is null ? null : Path.Combine(_directory, "objects", key.Replace('/', Path.DirectorySeparatorChar));

    private bool TryRead(string key, out byte[] body)
    {
        if (PathOf(key) is { } path)
        {
            body = File.Exists(path) ? File.ReadAllBytes(path) : [];
            return File.Exists(path);
        }

        return _memory.TryGetValue(key, out body!);
    }

    private bool TryCreate(string key, byte[] body)
    {
        if (PathOf(key) is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                file.Write(body);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }

        return _memory.TryAdd(key, body);
    }

    private static AmazonS3Exception Error(string code, HttpStatusCode status, string message) => new(message, null, ErrorType.Sender, code, "sandbox", status);

    /// <summary>IAmazonS3 with PutObjectAsync and GetObjectAsync on the sandbox bucket; any other call is not supported.</summary>
    public class BucketProxy : DispatchProxy
    {
        internal SandboxEscrow Escrow { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IAmazonS3.PutObjectAsync) => Put((PutObjectRequest)args![0]!),
            nameof(IAmazonS3.GetObjectAsync) when args![0] is GetObjectRequest request => Get(request),
            nameof(IDisposable.Dispose) => null,
            _ => throw new NotSupportedException($"The sandbox escrow bucket supports PutObject and GetObject only, not {targetMethod?.Name}."),
        };

        private Task<PutObjectResponse> Put(PutObjectRequest request)
        {
            using var body = new MemoryStream();
            request.InputStream?.CopyTo(body);
            if (request.BucketName != Bucket)
            {
                return Task.FromException<PutObjectResponse>(Error("NoSuchBucket", HttpStatusCode.NotFound, $"The bucket {request.BucketName} does not exist in the sandbox (it has {Bucket})."));
            }

            if (request.IfNoneMatch != "*")
            {
                return Task.FromException<PutObjectResponse>(new InvalidOperationException("Escrow writes must never overwrite (If-None-Match: *)."));
            }

            return Escrow.TryCreate(request.Key, body.ToArray())
                ? Task.FromResult(new PutObjectResponse { HttpStatusCode = HttpStatusCode.OK, ServerSideEncryptionMethod = request.ServerSideEncryptionMethod })
                : Task.FromException<PutObjectResponse>(Error("PreconditionFailed", HttpStatusCode.PreconditionFailed, "At least one of the pre-conditions you specified did not hold"));
        }

        private Task<GetObjectResponse> Get(GetObjectRequest request) =>
            request.BucketName == Bucket && Escrow.TryRead(request.Key, out var body)
                ? Task.FromResult(new GetObjectResponse { HttpStatusCode = HttpStatusCode.OK, BucketName = request.BucketName, Key = request.Key, ResponseStream = new MemoryStream(body, writable: false) })
                : Task.FromException<GetObjectResponse>(Error("NoSuchKey", HttpStatusCode.NotFound, "The specified key does not exist."));
    }
}
