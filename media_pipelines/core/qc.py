"""Delivery QC limits shared by the renditions checks and the title summary."""

from dataclasses import dataclass


@dataclass(frozen=True)
class LoudnessWindow:
    target_lufs: float = -24.0  # EBU R128 / ATSC A/85 broadcast programme loudness
    tolerance_lu: float = 2.0
    true_peak_max_dbtp: float = -1.0

    def findings(self, integrated_lufs: float | None, true_peak_dbtp: float | None) -> list[str]:
        out = []
        if integrated_lufs is not None and abs(integrated_lufs - self.target_lufs) > self.tolerance_lu:
            out.append(f"loudness {integrated_lufs:.1f} LUFS outside {self.target_lufs:g} ±{self.tolerance_lu:g}")
        if true_peak_dbtp is not None and true_peak_dbtp > self.true_peak_max_dbtp:
            out.append(f"true peak {true_peak_dbtp:.1f} dBTP above {self.true_peak_max_dbtp:g}")
        return out
