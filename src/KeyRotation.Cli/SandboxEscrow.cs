using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's escrow: an RSA key pair it generates (the private key written where the operator can pass it to
/// reimport) and a stand-in for the escrow bucket, with the two semantics escrow relies on: a write never overwrites
/// (an existing object refuses it), and a missing object reads as missing. Objects
/// live in a directory next to the sandbox state file, or in memory when the sandbox is not kept.
/// </summary>
internal sealed class SandboxEscrow
{
    public const string BucketName = "sandbox-escrow";

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
        Store = new Bucket(this);
    }

    public EscrowLocation Location { get; } = new(BucketName, "keyrotation/");

    public string PublicKeyPem { get; }

    /// <summary>The escrow private key's PEM file; null when the sandbox is not kept (nothing to reimport later).</summary>
    public string? PrivateKeyPath { get; }

    /// <summary>The escrow bucket, as the importer, <c>reimport</c> and retention use it.</summary>
    public IEscrowStore Store { get; }

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

    /// <summary>The store over the sandbox's one bucket (<see cref="BucketName"/>); another bucket does not exist.</summary>
    private sealed class Bucket(SandboxEscrow escrow) : IEscrowStore
    {
        public Task<bool> PutIfAbsentAsync(string bucket, string objectKey, byte[] body, CancellationToken cancellationToken) =>
            bucket == BucketName
                ? Task.FromResult(escrow.TryCreate(objectKey, body.ToArray()))
                : Task.FromException<bool>(new AmazonServiceException($"The bucket {bucket} does not exist in the sandbox (it has {BucketName}).", null, ErrorType.Sender, "NoSuchBucket", "sandbox", HttpStatusCode.NotFound));

        public Task<byte[]?> GetAsync(string bucket, string objectKey, CancellationToken cancellationToken) =>
            Task.FromResult(bucket == BucketName && escrow.TryRead(objectKey, out var body) ? body : null);

        public Task<bool> ExistsAsync(string bucket, string objectKey, CancellationToken cancellationToken) =>
            Task.FromResult(bucket == BucketName && escrow.TryRead(objectKey, out _));
    }
}
