"""Words the generator builds tickets from: titles, descriptions and comments.

Plain Indonesian field language, as a Babinsa would type it. No text here
records a voter's preference or a vote count (the tracker never does).
"""

# The text-search measurement looks for this word; it appears in the titles
# and descriptions of one category, so a search matches a few per cent of
# tickets, like a real query about damaged campaign props.
SEARCH_TERM = "baliho"

TITLES = {
    "money_politics": ("Dugaan pembagian uang menjelang pemungutan suara",
                       "Warga melaporkan amplop dibagikan malam hari",
                       "Isu serangan fajar di dusun"),
    "identity_politics": ("Ceramah bernada SARA di pengajian",
                          "Selebaran menyinggung suku tertentu",
                          "Ketegangan antarwarga karena isu agama"),
    "hoax": ("Hoaks di grup WhatsApp warga", "Video lama disebar seolah kejadian baru",
             "Kabar bohong tentang petugas TPS"),
    "supporter_conflict": ("Adu mulut antarpendukung di pos ronda",
                           "Konvoi pendukung memicu keributan",
                           "Pemuda dua kampung saling ejek"),
    "campaign_violation": ("Baliho caleg dirusak orang tak dikenal",
                           "Alat peraga kampanye dipasang di pohon sekolah",
                           "Baliho dipasang di fasilitas umum"),
    "neutrality": ("Kepala desa ikut acara kampanye", "Perangkat desa mengarahkan warga",
                   "ASN hadir di rapat tim kampanye"),
    "election_logistics": ("Kotak suara belum tiba di gudang desa",
                           "Lokasi TPS tergenang banjir", "Surat undangan pemilih terlambat"),
    "voter_roll": ("Warga meninggal masih tercatat di DPT", "Pemilih pindahan belum terdaftar",
                   "Data DPT ganda di satu RT"),
    "pilkades_dispute": ("Calon kepala desa keberatan hasil verifikasi",
                         "Panitia Pilkades dituduh tidak netral",
                         "Sengketa syarat pencalonan kepala desa"),
    "land_dispute": ("Sengketa batas tanah kas desa", "Klaim lahan antara warga dan perusahaan",
                     "Pagar tanah warga dibongkar"),
    "social_conflict": ("Bentrok pemuda antar dusun", "Perselisihan warga soal pemakaman",
                        "Ketegangan setelah pertandingan sepak bola"),
    "crime": ("Pencurian ternak berulang", "Peredaran miras di warung",
              "Perkelahian di hajatan warga"),
    "disaster": ("Longsor menutup jalan desa", "Banjir merendam rumah warga",
                 "Angin kencang merobohkan pohon"),
    "public_service": ("Jembatan desa rusak berat", "Air bersih tidak mengalir seminggu",
                       "Jalan berlubang membahayakan pengendara"),
    "other": ("Keluhan warga tentang kebisingan", "Warga meminta pendampingan",
              "Laporan orang asing menginap di desa"),
}

DESCRIPTIONS = {
    "campaign_violation": ("Baliho ditemukan rusak pagi hari, warga tidak tahu pelakunya.",
                           "Pemasangan tidak sesuai zona yang ditetapkan KPU setempat."),
}

GENERIC_DESCRIPTIONS = (
    "Disampaikan oleh tokoh masyarakat saat Komsos.",
    "Sudah dikoordinasikan dengan Bhabinkamtibmas dan perangkat desa.",
    "Situasi saat ini aman terkendali, perlu dipantau.",
    "Warga meminta agar segera ada tindak lanjut.",
    "Kejadian berulang dalam dua minggu terakhir.",
    "Informasi dari ketua RT, belum dikonfirmasi pihak lain.",
)

PARTIES = ("Dua kelompok pemuda", "Perangkat desa dan warga", "Panitia dan calon",
           "Warga dan pihak perusahaan", "Pedagang pasar")

MET_WITH = ("Sekretaris Desa", "Kepala Dusun", "Ketua RT", "Tokoh agama", "Karang Taruna",
            "Bhabinkamtibmas", "Kepala Desa")

VISIT_NOTES = ("Komsos rutin, situasi kondusif.", "Pertemuan di balai desa.",
               "Silaturahmi dengan tokoh masyarakat.", "Patroli bersama linmas.")

COMMENTS = ("Sudah dicek ke lokasi.", "Menunggu keterangan saksi.", "Koordinasi dengan Polsek.",
            "Warga sudah ditenangkan.", "Perlu pantauan menjelang hari H.",
            "Kepala desa sudah dihubungi.")

REASONS = {
    "escalate": "Di luar kemampuan Koramil, perlu penanganan Kodim.",
    "resolve": "Sudah dimediasi bersama perangkat desa dan tokoh masyarakat.",
    "reject": "Duplikat laporan sebelumnya.",
}
