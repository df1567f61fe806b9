"""Vietnamese administrative geography: the 63 provinces, their ID codes, plausible units below.

The 3-digit codes are those of the personal identification number (Circular 07/2016/TT-BCA):
the first three digits of a 12-digit number name the province where the birth was registered.
Districts and wards are real for the five centrally governed cities and each province's
capital; elsewhere they come from a pool of common place names, which is enough to look
plausible without pretending to be a gazetteer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # 3 digits, as in personal ID numbers
    name: str  # "Hà Nội", "Hồ Chí Minh", "Thanh Hóa"
    capital: str  # the provincial city, "Thanh Hóa", "Vinh"
    is_city: bool = False  # centrally governed city ("thành phố Hà Nội")
    south: bool = False  # hamlets are "ấp" in the south, "thôn"/"xóm" in the north

    @property
    def full(self) -> str:
        """The unit as written at the end of an address: "tỉnh Nghệ An", "thành phố Hà Nội"."""
        if self.name == "Hồ Chí Minh":
            return "Thành phố Hồ Chí Minh"
        return f"thành phố {self.name}" if self.is_city else f"tỉnh {self.name}"


_P = Province
PROVINCES: tuple[Province, ...] = (
    _P("001", "Hà Nội", "Hà Nội", True),
    _P("002", "Hà Giang", "Hà Giang"),
    _P("004", "Cao Bằng", "Cao Bằng"),
    _P("006", "Bắc Kạn", "Bắc Kạn"),
    _P("008", "Tuyên Quang", "Tuyên Quang"),
    _P("010", "Lào Cai", "Lào Cai"),
    _P("011", "Điện Biên", "Điện Biên Phủ"),
    _P("012", "Lai Châu", "Lai Châu"),
    _P("014", "Sơn La", "Sơn La"),
    _P("015", "Yên Bái", "Yên Bái"),
    _P("017", "Hòa Bình", "Hòa Bình"),
    _P("019", "Thái Nguyên", "Thái Nguyên"),
    _P("020", "Lạng Sơn", "Lạng Sơn"),
    _P("022", "Quảng Ninh", "Hạ Long"),
    _P("024", "Bắc Giang", "Bắc Giang"),
    _P("025", "Phú Thọ", "Việt Trì"),
    _P("026", "Vĩnh Phúc", "Vĩnh Yên"),
    _P("027", "Bắc Ninh", "Bắc Ninh"),
    _P("030", "Hải Dương", "Hải Dương"),
    _P("031", "Hải Phòng", "Hải Phòng", True),
    _P("033", "Hưng Yên", "Hưng Yên"),
    _P("034", "Thái Bình", "Thái Bình"),
    _P("035", "Hà Nam", "Phủ Lý"),
    _P("036", "Nam Định", "Nam Định"),
    _P("037", "Ninh Bình", "Ninh Bình"),
    _P("038", "Thanh Hóa", "Thanh Hóa"),
    _P("040", "Nghệ An", "Vinh"),
    _P("042", "Hà Tĩnh", "Hà Tĩnh"),
    _P("044", "Quảng Bình", "Đồng Hới"),
    _P("045", "Quảng Trị", "Đông Hà"),
    _P("046", "Thừa Thiên Huế", "Huế"),
    _P("048", "Đà Nẵng", "Đà Nẵng", True),
    _P("049", "Quảng Nam", "Tam Kỳ"),
    _P("051", "Quảng Ngãi", "Quảng Ngãi"),
    _P("052", "Bình Định", "Quy Nhơn"),
    _P("054", "Phú Yên", "Tuy Hòa"),
    _P("056", "Khánh Hòa", "Nha Trang"),
    _P("058", "Ninh Thuận", "Phan Rang - Tháp Chàm"),
    _P("060", "Bình Thuận", "Phan Thiết"),
    _P("062", "Kon Tum", "Kon Tum"),
    _P("064", "Gia Lai", "Pleiku"),
    _P("066", "Đắk Lắk", "Buôn Ma Thuột"),
    _P("067", "Đắk Nông", "Gia Nghĩa"),
    _P("068", "Lâm Đồng", "Đà Lạt"),
    _P("070", "Bình Phước", "Đồng Xoài", south=True),
    _P("072", "Tây Ninh", "Tây Ninh", south=True),
    _P("074", "Bình Dương", "Thủ Dầu Một", south=True),
    _P("075", "Đồng Nai", "Biên Hòa", south=True),
    _P("077", "Bà Rịa - Vũng Tàu", "Vũng Tàu", south=True),
    _P("079", "Hồ Chí Minh", "Hồ Chí Minh", True, south=True),
    _P("080", "Long An", "Tân An", south=True),
    _P("082", "Tiền Giang", "Mỹ Tho", south=True),
    _P("083", "Bến Tre", "Bến Tre", south=True),
    _P("084", "Trà Vinh", "Trà Vinh", south=True),
    _P("086", "Vĩnh Long", "Vĩnh Long", south=True),
    _P("087", "Đồng Tháp", "Cao Lãnh", south=True),
    _P("089", "An Giang", "Long Xuyên", south=True),
    _P("091", "Kiên Giang", "Rạch Giá", south=True),
    _P("092", "Cần Thơ", "Cần Thơ", True, south=True),
    _P("093", "Hậu Giang", "Vị Thanh", south=True),
    _P("094", "Sóc Trăng", "Sóc Trăng", south=True),
    _P("095", "Bạc Liêu", "Bạc Liêu", south=True),
    _P("096", "Cà Mau", "Cà Mau", south=True),
)
BY_CODE = {p.code: p for p in PROVINCES}
BY_NAME = {p.name: p for p in PROVINCES}

# Real urban districts and wards of the big cities: (district unit, [wards]).
CITY_DISTRICTS: dict[str, list[tuple[str, list[str]]]] = {
    "Hà Nội": [
        ("quận Ba Đình", ["Điện Biên", "Kim Mã", "Ngọc Hà", "Cống Vị", "Liễu Giai", "Đội Cấn"]),
        ("quận Hoàn Kiếm", ["Hàng Bạc", "Hàng Trống", "Tràng Tiền", "Cửa Nam", "Hàng Bông"]),
        ("quận Đống Đa", ["Láng Hạ", "Ô Chợ Dừa", "Văn Miếu", "Kim Liên", "Trung Liệt"]),
        ("quận Cầu Giấy", ["Dịch Vọng", "Quan Hoa", "Nghĩa Đô", "Yên Hòa", "Mai Dịch"]),
        ("quận Thanh Xuân", ["Khương Trung", "Nhân Chính", "Thanh Xuân Bắc", "Hạ Đình"]),
        ("quận Hoàng Mai", ["Định Công", "Tương Mai", "Giáp Bát", "Đại Kim", "Hoàng Liệt"]),
        ("quận Hai Bà Trưng", ["Bạch Mai", "Minh Khai", "Lê Đại Hành", "Phố Huế"]),
        ("quận Long Biên", ["Bồ Đề", "Ngọc Lâm", "Gia Thụy", "Phúc Đồng"]),
        ("quận Hà Đông", ["Văn Quán", "Mộ Lao", "Kiến Hưng", "Yết Kiêu"]),
    ],
    "Hồ Chí Minh": [
        ("Quận 1", ["Bến Nghé", "Bến Thành", "Đa Kao", "Tân Định", "Cầu Kho"]),
        ("Quận 3", ["Võ Thị Sáu", "Phường 9", "Phường 12", "Phường 14"]),
        ("quận Bình Thạnh", ["Phường 25", "Phường 26", "Phường 13", "Phường 2"]),
        ("quận Gò Vấp", ["Phường 5", "Phường 10", "Phường 16", "Phường 17"]),
        ("quận Tân Bình", ["Phường 2", "Phường 4", "Phường 12", "Phường 15"]),
        ("quận Phú Nhuận", ["Phường 7", "Phường 9", "Phường 11"]),
        ("thành phố Thủ Đức", ["Thảo Điền", "An Phú", "Linh Trung", "Hiệp Bình Chánh"]),
    ],
    "Đà Nẵng": [
        ("quận Hải Châu", ["Thạch Thang", "Hòa Cường Bắc", "Phước Ninh", "Bình Hiên"]),
        ("quận Thanh Khê", ["Tam Thuận", "Xuân Hà", "Chính Gián", "Thạc Gián"]),
        ("quận Sơn Trà", ["An Hải Bắc", "Phước Mỹ", "Mân Thái", "Thọ Quang"]),
        ("quận Ngũ Hành Sơn", ["Mỹ An", "Khuê Mỹ", "Hòa Hải"]),
        ("quận Liên Chiểu", ["Hòa Khánh Bắc", "Hòa Minh", "Hòa Hiệp Nam"]),
    ],
    "Hải Phòng": [
        ("quận Ngô Quyền", ["Máy Chai", "Lạch Tray", "Cầu Đất", "Đằng Giang"]),
        ("quận Lê Chân", ["An Biên", "Dư Hàng", "Hồ Nam", "Kênh Dương"]),
        ("quận Hồng Bàng", ["Hoàng Văn Thụ", "Minh Khai", "Quán Toan"]),
        ("quận Hải An", ["Đằng Lâm", "Cát Bi", "Thành Tô"]),
    ],
    "Cần Thơ": [
        ("quận Ninh Kiều", ["An Hòa", "Xuân Khánh", "Tân An", "An Khánh", "Hưng Lợi"]),
        ("quận Bình Thủy", ["An Thới", "Bùi Hữu Nghĩa", "Trà An"]),
        ("quận Cái Răng", ["Lê Bình", "Hưng Phú", "Ba Láng"]),
    ],
}

WARD_NAMES = (
    "Tân Phong",
    "Hòa Bình",
    "Quang Trung",
    "Lê Lợi",
    "Trần Phú",
    "Minh Khai",
    "Đông Hòa",
    "Phú Lợi",
    "An Bình",
    "Tân Định",
    "Phước Long",
    "Hưng Đạo",
    "Đồng Tâm",
    "Tân Thịnh",
    "Hoàng Văn Thụ",
    "Nguyễn Trãi",
    "Bắc Sơn",
    "Nam Sơn",
    "Phú Sơn",
    "Thành Công",
    "Tân Lập",
    "Đông Thành",
    "Hợp Giang",
    "Ninh Xá",
    "Vĩnh Ninh",
    "Phú Hội",
    "Thuận Phước",
    "Mỹ Phước",
)
COMMUNE_NAMES = (
    "Yên Lạc",
    "Đông Phong",
    "Tân Tiến",
    "Hồng Phong",
    "Quảng Thành",
    "Xuân Lâm",
    "Hòa Tiến",
    "Nghĩa Hưng",
    "Thanh Sơn",
    "Cẩm Bình",
    "Phú Xuân",
    "Hải Thượng",
    "Vĩnh Phúc",
    "Tam Hiệp",
    "Đại Đồng",
    "Kim Sơn",
    "Thạch Hà",
    "Long Hòa",
    "An Thạnh",
    "Mỹ Xuyên",
    "Tân Hưng",
    "Phước Hậu",
    "Bình Thạnh Trung",
    "Hòa Khánh",
    "Định Hòa",
    "Trung Lương",
    "Sơn Kim",
)
DISTRICT_NAMES = (
    "Yên Dũng",
    "Gia Bình",
    "Thuận Thành",
    "Nghĩa Đàn",
    "Quỳnh Lưu",
    "Đô Lương",
    "Hậu Lộc",
    "Thọ Xuân",
    "Triệu Sơn",
    "Kim Sơn",
    "Hải Hậu",
    "Kiến Xương",
    "Vũ Thư",
    "Đông Hưng",
    "Châu Thành",
    "Cai Lậy",
    "Phú Tân",
    "Tam Nông",
    "Long Phú",
    "Mỏ Cày Nam",
    "Cầu Kè",
    "Krông Pắc",
    "Đức Trọng",
    "Tuy Phước",
    "Điện Bàn",
    "Hương Trà",
    "Lệ Thủy",
    "Can Lộc",
    "Bình Xuyên",
    "Lâm Thao",
    "Văn Lâm",
    "Thanh Liêm",
    "Nho Quan",
    "Tiên Du",
    "Ứng Hòa",
)
STREETS = (
    "Lê Duẩn",
    "Nguyễn Trãi",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
    "Nguyễn Huệ",
    "Lê Lợi",
    "Phan Chu Trinh",
    "Hoàng Diệu",
    "Nguyễn Du",
    "Quang Trung",
    "Bà Triệu",
    "Trần Phú",
    "Lê Lai",
    "Nguyễn Văn Cừ",
    "Hùng Vương",
    "Lạc Long Quân",
    "Võ Thị Sáu",
    "Phạm Văn Đồng",
    "Trường Chinh",
    "Giải Phóng",
    "Tôn Đức Thắng",
    "Kim Mã",
    "Nguyễn Chí Thanh",
    "Láng Hạ",
    "Cách Mạng Tháng Tám",
    "Nguyễn Thị Minh Khai",
    "Xuân Thủy",
)
HAMLETS_NORTH = (
    "thôn Đông",
    "thôn Trung",
    "thôn Nam",
    "xóm Mới",
    "thôn Hạ",
    "thôn Thượng",
    "xóm 3",
)
HAMLETS_SOUTH = ("ấp Phú Hòa", "ấp Tân Lợi", "ấp 2", "ấp Bình An", "ấp Long Thạnh", "ấp Mỹ Điền")


@dataclass(frozen=True, slots=True)
class Address:
    """An address as structured parts; :meth:`text` writes it as documents print it."""

    street_part: str  # "Số 12, ngõ 34, phố Kim Mã" or "thôn Đông" or ""
    ward: str  # "phường Kim Mã" / "xã Yên Lạc" / "thị trấn ..."
    district: str  # "quận Ba Đình" / "huyện Yên Dũng" / "thành phố Vinh"
    province: Province

    def text(self, short: bool = False) -> str:
        """``short`` drops the street part, as "Quê quán" lines and place of birth do."""
        parts = [self.ward, self.district, self.province.full]
        if self.street_part and not short:
            parts.insert(0, self.street_part)
        return ", ".join(parts)


def random_province(rng: random.Random) -> Province:
    """Population-ish weighting: the big cities and populous provinces come up more often."""
    heavy = {"001": 8.0, "079": 9.0, "031": 2.0, "048": 1.2, "092": 1.2, "038": 3.5, "040": 3.3}
    weights = [heavy.get(p.code, 1.0) for p in PROVINCES]
    return rng.choices(PROVINCES, weights=weights)[0]


def random_address(rng: random.Random, province: Province | None = None) -> Address:
    prov = province or random_province(rng)
    if prov.name in CITY_DISTRICTS and rng.random() < 0.85:
        district, wards = rng.choice(CITY_DISTRICTS[prov.name])
        ward = rng.choice(wards)
        ward = "p" + ward[1:] if ward.startswith("Phường") else f"phường {ward}"
        return Address(_street_part(rng, prov), ward, district, prov)
    if rng.random() < 0.45:  # the provincial city
        district = (
            f"thành phố {prov.capital}"
            if not prov.is_city
            else "quận " + rng.choice(DISTRICT_NAMES)
        )
        ward = f"phường {rng.choice(WARD_NAMES)}"
        return Address(_street_part(rng, prov), ward, district, prov)
    district = f"huyện {rng.choice(DISTRICT_NAMES)}"
    if rng.random() < 0.15:
        ward = f"thị trấn {rng.choice(COMMUNE_NAMES)}"
    else:
        ward = f"xã {rng.choice(COMMUNE_NAMES)}"
    hamlets = HAMLETS_SOUTH if prov.south else HAMLETS_NORTH
    street = rng.choice(hamlets) if rng.random() < 0.8 else ""
    if street and rng.random() < 0.3:
        street = f"Số nhà {rng.randint(1, 200)}, {street}"
    return Address(street, ward, district, prov)


def _street_part(rng: random.Random, prov: Province) -> str:
    number = rng.randint(1, 250)
    street = rng.choice(STREETS)
    kind = "đường" if prov.south or rng.random() < 0.5 else "phố"
    shape = rng.random()
    if shape < 0.35:
        return f"Số {number}, {kind} {street}"
    if shape < 0.6:
        return f"Số {number}, ngõ {rng.randint(1, 400)}, {kind} {street}"
    if shape < 0.75:
        return f"Số {number}/{rng.randint(1, 90)}, {kind} {street}"
    if shape < 0.9:
        lane = f"ngách {rng.randint(1, 60)}, ngõ {rng.randint(1, 300)}"
        return f"Số nhà {number}, {lane}, {kind} {street}"
    return f"{number} {street}"


def authority_names(addr: Address) -> tuple[str, str]:
    """The commune-level body and its superior, upper case as letterheads print them:
    ("UBND PHƯỜNG KIM MÃ", "UBND QUẬN BA ĐÌNH")."""
    ward = addr.ward.upper()
    district = addr.district.upper()
    return f"UBND {ward}", f"UBND {district}"


def place_of_issue(addr: Address) -> str:
    """The place written before the date: the province or city name ("Hà Nội", "Vinh")."""
    if addr.province.is_city:
        return "TP. Hồ Chí Minh" if addr.province.name == "Hồ Chí Minh" else addr.province.name
    if addr.district.startswith("thành phố "):
        return addr.district.removeprefix("thành phố ")
    return addr.district.split(" ", 1)[1]
