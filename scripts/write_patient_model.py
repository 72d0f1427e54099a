#!/usr/bin/env python3
"""Writes models/patient.json from the table below (one row per parameter, so the table reads like
model.md §2.4). Run it after editing the table; the file it writes is the one the simulator reads, and
people may edit that file directly as well (this script is a convenience, not the source of truth)."""
import json, sys
from collections import OrderedDict

REFS = OrderedDict([
    ("Stein2019", "Stein AM et al. Tisagenlecleucel model-based cellular kinetic analysis of CAR-T cells. CPT Pharmacometrics Syst Pharmacol 2019;8:285-295. doi:10.1002/psp4.12388"),
    ("Kimmel2021", "Kimmel GJ, Locke FL, Altrock PM. The roles of T cell competition and stochastic extinction events in CAR T cell therapy. Proc R Soc B 2021;288:20210229. doi:10.1098/rspb.2021.0229"),
    ("Frey2010", "Frey N, Grange S, Woodworth T. Population pharmacokinetic analysis of tocilizumab in patients with rheumatoid arthritis. J Clin Pharmacol 2010;50:754-766. doi:10.1177/0091270009350623"),
    ("Nishimoto2008", "Nishimoto N et al. Mechanisms and pathologic significances in increase in serum IL-6 and sIL-6R after tocilizumab. Blood 2008;112:3959-3964. doi:10.1182/blood-2008-05-155846"),
    ("Jakafi", "JAKAFI (ruxolitinib) US prescribing information, Incyte; Jakavi SmPC, Novartis (via drug monographs)"),
    ("Shi2011", "Shi JG et al. PK, PD and safety of orally dosed INCB018424 in healthy volunteers. J Clin Pharmacol 2011;51:1644-1654. doi:10.1177/0091270010389469"),
    ("Tsuei1979", "Tsuei SE et al. Disposition of synthetic glucocorticoids I. Pharmacokinetics of dexamethasone in healthy adults. J Pharmacokinet Biopharm 1979;7:249-264"),
    ("AlHabet1989", "Al-Habet SM, Rogers HJ. Methylprednisolone pharmacokinetics after intravenous and oral administration. Br J Clin Pharmacol 1989;27:285-290"),
    ("Krzyzanski2021", "Population PK of intramuscular and oral dexamethasone and betamethasone in Indian women. J Pharmacokinet Pharmacodyn 2021"),
    ("UhlCzock", "Czock D et al. Pharmacokinetics and pharmacodynamics of systemically administered glucocorticoids. Clin Pharmacokinet 2005;44:61-98. doi:10.2165/00003088-200544010-00003"),
    ("Pepys2003", "Pepys MB, Hirschfield GM. C-reactive protein: a critical update. J Clin Invest 2003;111:1805-1812. doi:10.1172/JCI18921"),
    ("Pan2021", "Pan J et al. Ruxolitinib mitigates steroid-refractory CRS during CAR T therapy. J Cell Mol Med 2021;25:1089-1099. doi:10.1111/jcmm.16176"),
    ("Anderson2008", "Anderson BJ, Holford NHG. Mechanism-based concepts of size and maturity in pharmacokinetics. Annu Rev Pharmacol Toxicol 2008;48:303-332"),
    ("ASTCT2019", "Lee DW et al. ASTCT consensus grading for CRS and neurologic toxicity. Biol Blood Marrow Transplant 2019;25:625-638. doi:10.1016/j.bbmt.2018.12.758"),
    ("calibration", "Chosen by the crsguard team so that a typical virtual patient meets the qualitative targets of model.md §3 (docs/simulator.md, Calibration); replace with fitted values"),
])

# name, symbol, value, unit, cv %, source, confidence, note
P = [
    # CAR-T kinetics
    ("car_t_proliferation_max", "ρ_max", 1.2, "1/d", 40, "Stein2019", "A", "net early growth ρ_max·g − α − k_X·g ≈ 0.9 /d, Stein ρ = ln(3900)/9.3 = 0.89 /d; CV reduced from Stein's T_max/C_max spread pending calibration"),
    ("car_t_effector_loss", "δ_E", 0.1588, "1/d", 50, "Stein2019", "C", "δ_E + k_EM = Stein α = 0.16 /d (post-peak contraction); Stein's CV 122% halved so that a virtual cohort stays plausible"),
    ("car_t_effector_to_memory", "k_EM", 0.0012, "1/d", 50, "Stein2019", "A", "F_B ≈ k_EM/(α − β) with F_B = 0.0079"),
    ("car_t_memory_loss", "δ_M", 0.0032, "1/d", 50, "Stein2019", "C", "Stein β (slow decline)"),
    ("car_t_memory_reactivation", "k_ME", 0.1, "1/d", 0, "calibration", "A", "memory → effector on antigen; spec range 0.05–0.5"),
    ("car_t_exhaustion", "k_X", 0.15, "1/d", 0, "calibration", "A", "activation-induced exhaustion/death, bounds expansion when antigen persists"),
    ("antigen_half_saturation", "K_g", 5e9, "cells", 0, "calibration", "A", "same order as Kimmel k_B"),
    ("car_t_capacity", "K_C", 1e12, "cells", 0, "Kimmel2021", "A", "expansion slows as CAR-T cells fill the homeostatic niche: proliferation × K_C/(K_C + C_E + C_M); Kimmel's fitted K_C is 7×10^10 (LBCL, Gompertz); 10^12 bounds the tail of a virtual population while leaving a typical patient's peak (~10^11) within ~10 %"),
    ("car_t_blood_fraction", "f_blood", 0.02, "1", 0, "calibration", "A", "share of the body's CAR-T cells circulating in blood (model.md §8 open question 1)"),
    ("blood_volume_per_kg", "", 70, "mL/kg", 0, "calibration", "A", "adult blood volume; the same value rules/platelets.json uses for adults"),
    # leukaemia and B cells
    ("leukaemia_growth", "r_L", 0.1, "1/d", 50, "Kimmel2021", "A", "B-ALL value inside Kimmel's 0.01–0.5 /d range"),
    ("leukaemia_cells_full_marrow", "", 1e12, "cells", 0, "calibration", "A", "leukaemia burden at 100% marrow blasts; L(0) = blasts/100 × this"),
    ("kill_rate_max", "γ_kill", 1.15, "1/d", 40, "Kimmel2021", "C", "Kimmel γ_B (LBCL)"),
    ("kill_half_saturation", "k_B", 2.0e9, "cells", 0, "Kimmel2021", "C", "poorly identifiable"),
    ("normal_b_cells_initial", "B_n(0)", 1e9, "cells", 0, "calibration", "A", "few B cells after lymphodepletion"),
    ("normal_b_cell_turnover", "d_B", 0.01, "1/d", 0, "Kimmel2021", "A", "slow B-cell recovery"),
    # macrophages
    ("macrophage_activation_rate", "k_act", 1.5, "1/d", 50, "calibration", "A", ""),
    ("macrophage_ifn_weight", "w_G", 0.5, "1", 80, "calibration", "A", "acts on IFN-γ above its baseline, so that a healthy baseline activates nothing"),
    ("macrophage_ifn_ec50", "EC50_G", 100, "pg/mL", 0, "calibration", "A", ""),
    ("macrophage_kill_weight", "w_K", 1.0, "1", 0, "calibration", "A", "CAR-T contact, GM-CSF and CD40L lumped into the killing flux"),
    ("macrophage_kill_ec50", "EC50_K", 1.5e11, "cells/d", 0, "calibration", "A", ""),
    ("macrophage_kill_hill", "n_K", 2, "1", 0, "calibration", "A", "a steeper response to killing delays activation past the first day (median CRS onset ≈ day 3)"),
    ("macrophage_deactivation", "k_deact", 0.7, "1/d", 0, "calibration", "A", "spec range 0.5–1"),
    # cytokines
    ("ifn_gamma_production", "s_G", 3e-8, "pg/mL/d/cell", 70, "calibration", "A", ""),
    ("ifn_gamma_elimination", "k_G", 15, "1/d", 0, "calibration", "A", "t½ ≈ 1.1 h"),
    ("ifn_gamma_baseline", "G_0", 2, "pg/mL", 0, "calibration", "A", "normal 1–5 pg/mL"),
    ("il6_production", "s_6", 8000, "pg/mL/d", 80, "calibration", "A", ""),
    ("il6_linear_clearance", "k_6,lin", 7, "1/d", 0, "calibration", "A", "total IL-6 clearance ≈ 14 /d, half receptor-mediated"),
    ("il6_receptor_clearance", "k_6,R", 7, "1/d", 0, "Nishimoto2008", "A", "receptor-mediated share (qualitative, Nishimoto 2008)"),
    ("il6_feedback", "f_fb", 0.3, "1", 0, "calibration", "A", "IL-6 trans-signalling loop that tocilizumab and JAK inhibition break; kept below the receptor share of clearance so that serum IL-6 rises after tocilizumab (Nishimoto 2008)"),
    ("il6_baseline", "", 3, "pg/mL", 0, "calibration", "A", "normal 2–5 pg/mL"),
    ("il6_signal_ec50", "EC50_S6", 100, "pg/mL", 0, "calibration", "A", "spec range 10–50; raised so that the grade keeps rising with IL-6 into the thousands"),
    ("il10_myeloid_production", "s_10M", 1500, "pg/mL/d", 0, "calibration", "A", ""),
    ("il10_t_cell_production", "s_10T", 2e-9, "pg/mL/d/cell", 0, "calibration", "A", ""),
    ("il10_elimination", "k_10", 7, "1/d", 0, "calibration", "A", "spec range 5–10"),
    ("il10_baseline", "", 3, "pg/mL", 0, "calibration", "A", "normal 1–5"),
    ("tnf_production", "s_TN", 900, "pg/mL/d", 0, "calibration", "A", ""),
    ("tnf_elimination", "k_TN", 30, "1/d", 0, "calibration", "A", "spec range 20–50"),
    ("tnf_baseline", "", 5, "pg/mL", 0, "calibration", "A", "normal 1–10"),
    # acute phase
    ("crp_elimination", "k_CRP", 0.87, "1/d", 30, "Pepys2003", "M", "t½ ≈ 19 h"),
    ("crp_baseline", "", 3, "mg/L", 0, "calibration", "A", ""),
    ("crp_il6_gain", "E_CRP", 60, "1", 0, "calibration", "A", "CRP ≈ 180 mg/L at full IL-6 signal"),
    ("ferritin_elimination", "k_F", 0.45, "1/d", 0, "calibration", "A", "t½ ≈ 37 h (spec 30–48 h)"),
    ("ferritin_baseline", "", 500, "ng/mL", 60, "calibration", "A", "often raised before CAR-T in heavily pre-treated leukaemia"),
    ("ferritin_activation_gain", "E_F,A", 20, "1", 0, "calibration", "A", ""),
    ("ferritin_ifn_gain", "E_F,G", 5, "1", 0, "calibration", "A", ""),
    ("ferritin_ifn_ec50", "EC50_FG", 100, "pg/mL", 0, "calibration", "A", ""),
    # vital-sign links
    ("pyrogen_equilibration", "k_e0,P", 12, "1/d", 0, "calibration", "A", "t½ ≈ 1.4 h"),
    ("pyrogen_il6_weight", "w_6", 0.8, "1", 0, "calibration", "A", ""),
    ("pyrogen_tnf_weight", "w_TN", 0.2, "1", 80, "calibration", "A", ""),
    ("pyrogen_tnf_ec50", "EC50_TN", 50, "pg/mL", 0, "calibration", "A", ""),
    ("pyrogen_ifn_weight", "w_G,P", 0.2, "1", 80, "calibration", "A", ""),
    ("pyrogen_ifn_ec50", "EC50_G,P", 200, "pg/mL", 0, "calibration", "A", ""),
    ("temperature_baseline", "", 36.8, "Cel", 0, "calibration", "A", ""),
    ("fever_max_rise", "ΔT_max", 3.5, "Cel", 0, "calibration", "A", "spec ≈ 3.5 °C"),
    ("fever_half_effect", "P50", 0.4, "1", 0, "calibration", "A", ""),
    ("fever_hill", "n", 4, "1", 0, "calibration", "A", ""),
    ("leak_rate", "k_V", 2, "1/d", 0, "calibration", "A", "spec range 1–3"),
    ("leak_gain", "E_V", 3, "1", 40, "calibration", "A", ""),
    ("leak_il6_weight", "u_6", 0.6, "1", 0, "calibration", "A", ""),
    ("leak_tnf_weight", "u_TN", 0.4, "1", 80, "calibration", "A", ""),
    ("leak_tnf_ec50", "EC50_TN,V", 50, "pg/mL", 0, "calibration", "A", ""),
    ("leak_ifn_weight", "u_G", 0.4, "1", 80, "calibration", "A", ""),
    ("leak_ifn_ec50", "EC50_G,V", 200, "pg/mL", 0, "calibration", "A", ""),
    ("map_baseline", "MAP₀", 85, "mm[Hg]", 0, "calibration", "A", ""),
    ("map_max_fall", "ΔMAP_max", 60, "mm[Hg]", 0, "calibration", "A", ""),
    ("map_leak_half_effect", "V50", 2.5, "1", 0, "calibration", "A", ""),
    ("systolic_to_map_ratio", "", 1.35, "1", 0, "calibration", "A", "SBP from MAP with a fixed pulse-pressure ratio"),
    ("heart_rate_baseline", "", 85, "/min", 0, "calibration", "A", ""),
    ("heart_rate_per_degree", "", 10, "/min/Cel", 0, "calibration", "A", "≈ 10 beats/min per °C of fever"),
    ("map_one_vasopressor", "", 60, "mm[Hg]", 0, "calibration", "A", "the simulated bedside starts one vasopressor below this MAP (after fluids)"),
    ("map_second_vasopressor", "", 50, "mm[Hg]", 0, "calibration", "A", "and adds a second below this"),
    ("vasopressor_map_gain", "", 15, "mm[Hg]", 0, "calibration", "A", "how much a running vasopressor lifts the recorded MAP"),
    ("vasopressor_wean_margin", "", 5, "mm[Hg]", 0, "calibration", "A", "a vasopressor is weaned once the model's MAP without it is this far above the threshold that started it"),
    ("heart_rate_per_map_fall", "", 0.5, "/min/mm[Hg]", 0, "calibration", "A", "compensatory tachycardia per mmHg of MAP below baseline"),
    ("leak_low_flow_oxygen", "V_hyp1", 1.3, "1", 0, "calibration", "A", "low-flow nasal cannula from this leak index above baseline"),
    ("leak_high_flow_oxygen", "V_hyp2", 1.9, "1", 0, "calibration", "A", "high-flow nasal cannula"),
    ("leak_positive_pressure", "V_hyp3", 2.6, "1", 0, "calibration", "A", "CPAP/BiPAP"),
    # ruxolitinib
    ("rux_bioavailability", "F", 0.95, "1", 0, "Jakafi", "S", "F ≥ 0.95"),
    ("rux_absorption_rate", "k_a", 2, "1/h", 50, "Jakafi", "A", "gives T_max ≈ 1 h (label 1–2 h)"),
    ("rux_clearance", "CL/F", 20, "L/h", 40, "Jakafi", "M", "17.7 (women) – 22.1 (men) L/h in myelofibrosis"),
    ("rux_volume", "V/F", 72, "L", 30, "Jakafi", "S", ""),
    ("rux_unbound_fraction", "fu", 0.03, "1", 0, "Jakafi", "S", "97% bound to albumin"),
    ("rux_molar_mass", "", 306.37, "g/mol", 0, "Jakafi", "C", "ruxolitinib free base"),
    ("rux_ic50_signalling", "IC50_S6", 281, "nmol/L", 0, "Shi2011", "M", "whole-blood IL-6-induced pSTAT3, total plasma basis"),
    ("rux_imax_signalling", "", 0.95, "1", 0, "calibration", "A", ""),
    ("rux_ic50_macrophage_activation", "IC50_Mact", 281, "nmol/L", 0, "Shi2011", "A", "IFN-γ → JAK1/2-STAT1, taken as the pSTAT3 potency"),
    ("rux_imax_macrophage_activation", "", 0.95, "1", 0, "calibration", "A", ""),
    ("rux_ic50_ifn_release", "IC50_IFN", 600, "nmol/L", 0, "calibration", "A", "spec 300–1000; a trade-off parameter"),
    ("rux_imax_ifn_release", "", 0.7, "1", 0, "calibration", "A", "spec 0.6–0.8"),
    ("rux_ic50_proliferation", "IC50_prolif", 600, "nmol/L", 0, "calibration", "A", "spec 300–1000; a trade-off parameter"),
    ("rux_imax_proliferation", "", 0.7, "1", 0, "calibration", "A", "spec 0.6–0.8"),
    ("rux_ic50_killing", "IC50_kill", 1500, "nmol/L", 0, "calibration", "A", "spec ≥ 1 µM"),
    ("rux_imax_killing", "", 0.4, "1", 0, "calibration", "A", "spec 0.3–0.5"),
    ("rux_ic50_myeloid_production", "IC50_Mprod", 1000, "nmol/L", 0, "Pan2021", "A", "irrelevant while Imax is 0"),
    ("rux_imax_myeloid_production", "", 0, "1", 0, "Pan2021", "A", "monocyte IL-6/IL-10/TNF unchanged at 10 µM in vitro"),
    # tocilizumab
    ("tcz_clearance", "CL", 0.3, "L/d", 39, "Frey2010", "C", "reference BSA 1.8 m², male"),
    ("tcz_central_volume", "V1", 3.5, "L", 37, "Frey2010", "C", ""),
    ("tcz_intercompartmental_clearance", "Q", 0.2, "L/d", 0, "Frey2010", "C", ""),
    ("tcz_peripheral_volume", "V2", 2.9, "L", 66, "Frey2010", "C", ""),
    ("tcz_vmax", "Vmax", 7.5, "mg/d", 54, "Frey2010", "C", ""),
    ("tcz_km", "Km", 2.7, "ug/mL", 0, "Frey2010", "C", ""),
    ("tcz_receptor_half_occupancy", "K_RO", 0.3, "ug/mL", 0, "Nishimoto2008", "A", "RO > 0.95 while C > ≈ 6 µg/mL"),
    ("tcz_reference_bsa", "", 1.8, "m2", 0, "Frey2010", "C", ""),
    ("tcz_bsa_exponent", "", 0.7, "1", 0, "Frey2010", "C", "CL × (BSA/1.8)^0.7; volumes scaled by BSA/1.8 [A]"),
    ("tcz_female_clearance_factor", "", 0.84, "1", 0, "Frey2010", "C", ""),
    # corticosteroids
    ("dex_clearance", "CL", 14.7, "L/h", 35, "Tsuei1979", "S", "245 mL/min, IV 8 mg, healthy adults"),
    ("dex_volume", "V", 60, "L", 0, "Tsuei1979", "A", "from CL and t½ 2.4–3.4 h"),
    ("dex_oral_bioavailability", "F", 0.9, "1", 0, "Krzyzanski2021", "S", ""),
    ("dex_absorption_rate", "k_a", 0.94, "1/h", 0, "Krzyzanski2021", "S", ""),
    ("mp_clearance_per_kg", "CL", 0.45, "L/h/kg", 27, "AlHabet1989", "S", ""),
    ("mp_volume_per_kg", "Vss", 1.5, "L/kg", 0, "AlHabet1989", "S", ""),
    ("mp_dex_equivalence", "", 0.1875, "1", 0, "UhlCzock", "M", "4 mg methylprednisolone ≈ 0.75 mg dexamethasone"),
    ("gc_effect_equilibration", "k_e0", 0.2, "1/h", 0, "calibration", "A", "spec 0.1–0.3 /h"),
    ("gc_ec50", "EC50_GC", 20, "ng/mL", 0, "calibration", "A", "dexamethasone-equivalent; the CD4-suppression EC50 (1.5 ng/mL methylprednisolone ≈ 0.25 dex-eq, Uhl/Czock) would make 40 mg methylprednisolone a day saturating, which the adult case contradicts; myeloid cytokine suppression is taken as ≈ 80× less sensitive"),
    ("gc_imax_myeloid_production", "", 0.85, "1", 0, "calibration", "A", "spec 0.8–0.9"),
    ("gc_imax_macrophage_activation", "", 0.85, "1", 0, "calibration", "A", "spec 0.8–0.9"),
    ("gc_imax_ifn_release", "", 0.6, "1", 0, "calibration", "A", "spec 0.5–0.7"),
    ("gc_imax_proliferation", "", 0.15, "1", 0, "Pan2021", "A", "spec 0.1–0.2; dexamethasone marginal on expansion in vitro, Stein F_ster ≈ 1"),
    # allometry
    ("reference_weight", "", 70, "kg", 0, "Anderson2008", "M", ""),
    ("clearance_weight_exponent", "", 0.75, "1", 0, "Anderson2008", "M", "CL ∝ (WT/70)^0.75, V ∝ WT/70"),
]

CORR = [
    (("tcz_clearance", "tcz_central_volume"), 0.6, "Frey2010"),
    (("tcz_central_volume", "tcz_peripheral_volume"), 0.5, "Frey2010"),
    (("tcz_clearance", "tcz_vmax"), -0.5, "Frey2010"),
]

def main(out):
    params = OrderedDict()
    for name, symbol, value, unit, cv, source, conf, note in P:
        entry = OrderedDict([("value", value), ("unit", unit)])
        if symbol: entry["symbol"] = symbol
        if cv: entry["cv_percent"] = cv
        entry["source"] = source
        entry["confidence"] = conf
        if note: entry["note"] = note
        params[name] = entry
    doc = OrderedDict([
        ("format", "crsguard.sim-parameters/1"),
        ("model", "patient"),
        ("version", "1"),
        ("title", "Patient-mode CAR-T / CRS model (../shared/spec/model.md §2)"),
        ("note", "Values with confidence A are starting points chosen to meet the qualitative targets of model.md §3; fit them before drawing clinical conclusions."),
        ("references", REFS),
        ("parameters", params),
        ("correlations", [OrderedDict([("between", list(b)), ("r", r), ("source", s)]) for b, r, s in CORR]),
    ])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/patient.json")
