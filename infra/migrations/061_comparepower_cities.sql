-- Seed of the city -> TDSP fan-out. Origin: hand-compiled for gridstream from the TDSP table of
-- shared/specs/civic.md §9 (Oncor: Dallas-Fort Worth and North/Central Texas; CenterPoint: Houston; AEP Texas
-- Central: Corpus Christi and the Rio Grande Valley; AEP Texas North: Abilene and San Angelo; TNMP: League City,
-- Friendswood, Texas City, Lewisville) and the municipal utilities the spec names (Austin Energy, Brownsville
-- PUB), plus other well-known municipal or non-ERCOT-choice areas (CPS Energy San Antonio, Garland Power & Light,
-- Denton Municipal Electric, New Braunfels Utilities, Georgetown, Bryan Texas Utilities, College Station, El Paso
-- Electric, Xcel/SPS Amarillo, Entergy Texas Beaumont). Not the ~880 slugs of choose-my-power's tdspMapping, which
-- the spec calls unreliable; ZIP lookups (zip_tdsp_map) are the way to extend it. Lubbock (LP&L, choice since 2024)
-- is left out: its DUNS is not confirmed.
insert into city_tdsp_map (city_slug, city_name, tdsp_duns, utility_name, deregulated) values
  ('dallas', 'Dallas', '1039940674000', 'Oncor Electric Delivery', true),
  ('fort-worth', 'Fort Worth', '1039940674000', 'Oncor Electric Delivery', true),
  ('arlington', 'Arlington', '1039940674000', 'Oncor Electric Delivery', true),
  ('plano', 'Plano', '1039940674000', 'Oncor Electric Delivery', true),
  ('irving', 'Irving', '1039940674000', 'Oncor Electric Delivery', true),
  ('grand-prairie', 'Grand Prairie', '1039940674000', 'Oncor Electric Delivery', true),
  ('mckinney', 'McKinney', '1039940674000', 'Oncor Electric Delivery', true),
  ('frisco', 'Frisco', '1039940674000', 'Oncor Electric Delivery', true),
  ('mesquite', 'Mesquite', '1039940674000', 'Oncor Electric Delivery', true),
  ('carrollton', 'Carrollton', '1039940674000', 'Oncor Electric Delivery', true),
  ('richardson', 'Richardson', '1039940674000', 'Oncor Electric Delivery', true),
  ('waco', 'Waco', '1039940674000', 'Oncor Electric Delivery', true),
  ('killeen', 'Killeen', '1039940674000', 'Oncor Electric Delivery', true),
  ('round-rock', 'Round Rock', '1039940674000', 'Oncor Electric Delivery', true),
  ('tyler', 'Tyler', '1039940674000', 'Oncor Electric Delivery', true),
  ('midland', 'Midland', '1039940674000', 'Oncor Electric Delivery', true),
  ('odessa', 'Odessa', '1039940674000', 'Oncor Electric Delivery', true),
  ('wichita-falls', 'Wichita Falls', '1039940674000', 'Oncor Electric Delivery', true),
  ('houston', 'Houston', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('pasadena', 'Pasadena', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('pearland', 'Pearland', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('sugar-land', 'Sugar Land', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('baytown', 'Baytown', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('missouri-city', 'Missouri City', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('katy', 'Katy', '957877905', 'CenterPoint Energy Houston Electric', true),
  ('corpus-christi', 'Corpus Christi', '007924772', 'AEP Texas Central Company', true),
  ('laredo', 'Laredo', '007924772', 'AEP Texas Central Company', true),
  ('mcallen', 'McAllen', '007924772', 'AEP Texas Central Company', true),
  ('harlingen', 'Harlingen', '007924772', 'AEP Texas Central Company', true),
  ('victoria', 'Victoria', '007924772', 'AEP Texas Central Company', true),
  ('abilene', 'Abilene', '007923311', 'AEP Texas North Company', true),
  ('san-angelo', 'San Angelo', '007923311', 'AEP Texas North Company', true),
  ('league-city', 'League City', '007929441', 'Texas-New Mexico Power', true),
  ('friendswood', 'Friendswood', '007929441', 'Texas-New Mexico Power', true),
  ('texas-city', 'Texas City', '007929441', 'Texas-New Mexico Power', true),
  ('lewisville', 'Lewisville', '007929441', 'Texas-New Mexico Power', true),
  ('austin', 'Austin', null, 'Austin Energy', false),
  ('san-antonio', 'San Antonio', null, 'CPS Energy', false),
  ('brownsville', 'Brownsville', null, 'Brownsville Public Utilities Board', false),
  ('garland', 'Garland', null, 'Garland Power & Light', false),
  ('denton', 'Denton', null, 'Denton Municipal Electric', false),
  ('new-braunfels', 'New Braunfels', null, 'New Braunfels Utilities', false),
  ('georgetown', 'Georgetown', null, 'Georgetown Utility Systems', false),
  ('bryan', 'Bryan', null, 'Bryan Texas Utilities', false),
  ('college-station', 'College Station', null, 'College Station Utilities', false),
  ('el-paso', 'El Paso', null, 'El Paso Electric', false),
  ('amarillo', 'Amarillo', null, 'Xcel Energy (SPS)', false),
  ('beaumont', 'Beaumont', null, 'Entergy Texas', false)
on conflict do nothing;

insert into zip_tdsp_map (zip, tdsp_duns, city_slug, deregulated) values
  ('76010', '1039940674000', 'arlington', true),
  ('75201', '1039940674000', 'dallas', true),
  ('77002', '957877905', 'houston', true),
  ('78401', '007924772', 'corpus-christi', true),
  ('79601', '007923311', 'abilene', true),
  ('77573', '007929441', 'league-city', true),
  ('78701', null, 'austin', false),
  ('78205', null, 'san-antonio', false)
on conflict do nothing;
