namespace KeyRotation.Core.KeyMaterial;

/// <summary>
/// The object store that holds escrow copies (an S3 bucket in a deployment), with the two answers escrow relies on
/// modelled as results rather than errors: a write never overwrites (an existing object is a refused write, so a run
/// that died after escrowing leaves its object untouched), and a missing object reads as null. Every other failure is
/// the store's own <see cref="Amazon.Runtime.AmazonServiceException"/>, which callers translate into messages naming
/// the object.
/// </summary>
public interface IEscrowStore
{
    /// <summary>Writes <paramref name="body"/> as a new object, server-side encrypted; false when an object of that name already exists (nothing written).</summary>
    Task<bool> PutIfAbsentAsync(string bucket, string objectKey, byte[] body, CancellationToken cancellationToken);

    /// <summary>The object's bytes, or null when it does not exist.</summary>
    Task<byte[]?> GetAsync(string bucket, string objectKey, CancellationToken cancellationToken);

    /// <summary>Whether the object exists, without reading its body.</summary>
    Task<bool> ExistsAsync(string bucket, string objectKey, CancellationToken cancellationToken);
}
