using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// The transforms of one Winograd minimal filtering algorithm F(m×m, 3×3) (Lavin &amp; Gray, "Fast
/// Algorithms for Convolutional Neural Networks", CVPR 2016): Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A for an
/// α×α input tile d (α = m + 2) and a 3×3 kernel g. Input and output transforms work on 16 tiles that
/// follow each other along a tile row at once, one tile per vector lane: the tiles' columns are strided
/// by m in the image row, so each row is split into its m column phases with two-source permutes.
/// </summary>
internal abstract unsafe class WinogradTransform
{
    public const int Lanes = 16;

    /// <summary>Outputs per tile side (m).</summary>
    public abstract int Tile { get; }

    /// <summary>Input tile side α = m + 2.</summary>
    public int Alpha => Tile + 2;

    /// <summary>α², the number of independent products.</summary>
    public int Positions => Alpha * Alpha;

    /// <summary>Floats of an input row that <see cref="Input"/> reads from the first tile's first column.</summary>
    public abstract int RowReach { get; }

    public abstract string Name { get; }

    /// <summary>G g Gᵀ for a 3×3 kernel g (row-major) into the α×α <paramref name="u"/>.</summary>
    public abstract void Kernel(ReadOnlySpan<double> g, Span<double> u);

    /// <summary>
    /// Transforms 16 tiles whose first input column is at src: α rows <paramref name="ld"/> apart, of which only
    /// rows [rowLo, rowHi) are read (the others are zero padding); column j of tile t is masked by lane t of
    /// colMasks[j] when colMasks is not null (columns in the padding). Stores Bᵀ d B through <paramref name="dest"/>.
    /// </summary>
    public abstract void Input(float* src, nint ld, int rowLo, int rowHi, Vector512<float>* colMasks, in LaneDestination dest);

    /// <summary>
    /// y = Aᵀ m A + bias for 16 tiles: position ξ of the tiles' products at m + ξ·positionStride (16 lanes);
    /// writes <paramref name="rows"/> output rows of <paramref name="cols"/> values at dst, ldy apart.
    /// </summary>
    public abstract void Output(float* m, nint positionStride, float bias, float* dst, nint ldy, int rows, int cols);

    /// <summary>
    /// Where the lanes of a transformed position go: lanes [0, Split) at First + ξ·PositionStride and lanes
    /// [Split, Count) from Second + ξ·PositionStride on (a lane group may straddle two packed GEMM panels).
    /// </summary>
    public readonly struct LaneDestination(float* first, float* second, int split, int count, nint positionStride)
    {
        private readonly float* _first = first, _second = second;
        private readonly int _split = split, _count = count;
        private readonly nint _positionStride = positionStride;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(int position, Vector512<float> value)
        {
            nint offset = position * _positionStride;
            if (_split >= _count)
            {
                WinogradTransform.Store(value, _first + offset, _count);
                return;
            }
            var lanes = Vector512<int>.Indices;
            Avx512F.MaskStore(_first + offset, Vector512.LessThan(lanes, Vector512.Create(_split)).AsSingle(), value);
            Avx512F.MaskStore(_second + offset - _split, Vector512.BitwiseAnd(Vector512.GreaterThanOrEqual(lanes, Vector512.Create(_split)),
                Vector512.LessThan(lanes, Vector512.Create(_count))).AsSingle(), value);
        }
    }

    /// <summary>Stores lanes [0, count) of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static void Store(Vector512<float> value, float* dst, int count)
    {
        if (count == Lanes) value.Store(dst);
        else Avx512F.MaskStore(dst, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), value);
    }

    /// <summary>Stores the first <paramref name="count"/> (≤ 16·n) floats of consecutive vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static void StoreRun(Vector512<float> v, float* dst, int count)
    {
        if (count > 0) Store(v, dst, Math.Min(count, Lanes));
    }
}
